// alkphos API page: send an operation's example to this service and show the answer.
"use strict";
(function () {
  document.querySelectorAll("form.try").forEach(function (form) {
    const choice = form.querySelector(".example-choice");
    const values = form.querySelectorAll(".example-value");
    const body = form.querySelector("textarea");
    if (choice && body) {
      choice.addEventListener("change", function () {
        body.value = JSON.stringify(JSON.parse(values[Number(choice.value)].textContent), null, 1);
      });
    }
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      const answer = form.querySelector(".answer");
      const options = { method: form.dataset.method.toUpperCase(), headers: { Accept: "application/json" } };
      if (body) {
        options.body = body.value;
        options.headers["Content-Type"] = form.dataset.type;
      }
      const response = await fetch(form.dataset.path, options);
      const text = await response.text();
      let shown = text;
      try { shown = JSON.stringify(JSON.parse(text), null, 1); } catch (error) { /* not JSON */ }
      answer.textContent = response.status + " " + response.statusText + "\n" + shown;
      answer.hidden = false;
      answer.focus();
    });
  });
})();
