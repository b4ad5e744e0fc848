// alkphos: small progressive enhancements. Everything works without this file.
"use strict";
(function () {
  // Mistakes: the summary at the top takes focus, so it is read out and seen first.
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  const tableNode = document.getElementById("unit-table");
  if (!tableNode) return;
  const table = JSON.parse(tableNode.textContent);

  function analyteOf(name) {
    return table.names[(name || "").trim().toLowerCase().replace(/\s+/g, " ")];
  }

  // Offer only the units accepted for the chosen test.
  function narrowUnits(row) {
    const test = row.querySelector("input[name$='-test']");
    const select = row.querySelector("select.unit");
    if (!test || !select) return;
    const analyte = analyteOf(test.value);
    const units = analyte ? table.units[analyte] : null;
    const current = select.value;
    for (const option of Array.from(select.options)) {
      if (!option.value) continue;
      option.hidden = Boolean(units) && !units.includes(option.value) && option.value !== current;
    }
    const usual = select.querySelector("option[value='']");
    if (usual) usual.textContent = analyte ? "usual unit (" + table.units[analyte][0] + ")" : "usual unit";
  }

  // Once a test is entered twice, the date of each of its results is required: which is
  // the latest decides the answer (the server refuses such undated results too).
  function requireDates() {
    const byAnalyte = {};
    rows.querySelectorAll(".row").forEach(function (row) {
      const analyte = analyteOf((row.querySelector("input[name$='-test']") || {}).value);
      if (analyte) (byAnalyte[analyte] = byAnalyte[analyte] || []).push(row);
    });
    rows.querySelectorAll(".row").forEach(function (row) {
      const analyte = analyteOf((row.querySelector("input[name$='-test']") || {}).value);
      const needed = Boolean(analyte) && byAnalyte[analyte].length > 1;
      const input = row.querySelector("input[type=date]");
      const label = input && row.querySelector("label[for='" + input.id + "']");
      if (!input || !label) return;
      input.required = needed;
      label.textContent = needed ? "Date (required)" : "Date";
    });
  }

  const rows = document.getElementById("rows");
  rows.addEventListener("input", function (event) {
    const row = event.target.closest(".row");
    if (row) narrowUnits(row);
    requireDates();
  });
  rows.querySelectorAll(".row").forEach(narrowUnits);
  requireDates();

  // Add a row in place instead of reloading the page.
  const add = document.getElementById("add-rows");
  if (add) {
    add.addEventListener("click", function (event) {
      event.preventDefault();
      const spare = rows.querySelector(".row.spare");
      if (spare) {  // a row held back on a phone: show it first
        spare.classList.remove("spare");
        spare.querySelector("input").focus();
        return;
      }
      const last = rows.querySelector(".row:last-of-type");
      const next = Number(last.dataset.row) + 1;
      const copy = last.cloneNode(true);
      copy.dataset.row = String(next);
      copy.classList.remove("spare");
      copy.querySelectorAll("[id], [for], [name]").forEach(function (node) {
        for (const attribute of ["id", "for", "name"]) {
          const value = node.getAttribute(attribute);
          if (value) node.setAttribute(attribute, value.replace(/results-\d+-/, "results-" + next + "-"));
        }
      });
      copy.querySelectorAll("label").forEach(function (label) {
        label.textContent = label.textContent.replace(/^Test \d+$/, "Test " + (next + 1));
      });
      copy.querySelectorAll("input").forEach(function (input) { input.value = ""; input.removeAttribute("aria-invalid"); });
      copy.querySelectorAll("select").forEach(function (select) { select.value = ""; });
      copy.querySelectorAll(".field-error").forEach(function (node) { node.remove(); });
      rows.appendChild(copy);
      narrowUnits(copy);
      copy.querySelector("input").focus();
    });
  }
})();
