/* Report table for the admin dashboard (served as is, no build step). */
(function () {
  'use strict';

  function cell(text) {
    var td = document.createElement('td');
    td.textContent = text;
    return td;
  }

  function renderRows(table, rows) {
    var body = table.querySelector('tbody');
    body.innerHTML = '';
    for (const row of rows) {
      var tr = document.createElement('tr');
      tr.appendChild(cell(row.date));
      tr.appendChild(cell(row.orders));
      tr.appendChild(cell(row.revenue));
      body.appendChild(tr);
    }
  }

  function load(table) {
    fetch(table.dataset.source)
      .then(function (res) { return res.json(); })
      .then(function (data) { renderRows(table, data.rows); });
  }

  document.querySelectorAll('table[data-source]').forEach(load);
})();
