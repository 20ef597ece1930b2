// stationplan web: line numbers, job progress, Gantt highlighting, sortable tables. No deps.
"use strict";

function lineNumbers() {
  const editor = document.querySelector(".editor");
  if (!editor) return;
  const gutter = editor.querySelector(".gutter");
  const area = editor.querySelector("textarea");
  const bad = parseInt(editor.dataset.errorLine || "0", 10);
  const draw = () => {
    const n = area.value.split("\n").length;
    let html = "";
    for (let i = 1; i <= n; i++) html += i === bad ? `<span class="bad">${i}</span>` : `${i}\n`;
    gutter.innerHTML = html;
    gutter.style.height = area.clientHeight + "px";
  };
  area.addEventListener("input", draw);
  area.addEventListener("scroll", () => { gutter.scrollTop = area.scrollTop; });
  draw();
  if (bad > 0) {
    const lines = area.value.split("\n");
    const offset = lines.slice(0, bad - 1).join("\n").length + (bad > 1 ? 1 : 0);
    area.focus();
    area.setSelectionRange(offset, offset + (lines[bad - 1] || "").length);
    area.scrollTop = Math.max(0, (bad - 5) * 17.5);
    gutter.scrollTop = area.scrollTop;
  }
}

function followRun() {
  const panel = document.getElementById("run");
  if (!panel || !panel.dataset.run) return;
  const status = panel.dataset.status;
  if (status !== "queued" && status !== "running") return;
  const label = document.getElementById("run-status");
  const done = (s) => s !== "queued" && s !== "running";
  if (window.EventSource) {
    const source = new EventSource(`/api/runs/${panel.dataset.run}/events`);
    source.onmessage = (event) => {
      const state = JSON.parse(event.data);
      label.textContent = state.status + (state.progress ? " — " + state.progress : "");
      if (done(state.status)) { source.close(); window.location.reload(); }
    };
    source.onerror = () => { source.close(); setTimeout(() => window.location.reload(), 1000); };
  } else {
    setInterval(async () => {
      const run = await (await fetch(`/api/runs/${panel.dataset.run}`)).json();
      label.textContent = run.status + (run.progress ? " — " + run.progress : "");
      if (done(run.status)) window.location.reload();
    }, 1000);
  }
}

function ganttHighlight() {
  const bars = document.querySelectorAll("#gantt .bar");
  const rows = document.querySelectorAll("#missions tr[data-mission]");
  const mark = (name) => {
    rows.forEach((r) => r.classList.toggle("highlight", r.dataset.mission === name));
    bars.forEach((b) => b.classList.toggle("highlight", b.dataset.mission === name));
  };
  bars.forEach((b) => {
    b.addEventListener("mouseenter", () => mark(b.dataset.mission));
    b.addEventListener("focus", () => mark(b.dataset.mission));
  });
}

function sortableTables() {
  document.querySelectorAll("table.sortable").forEach((table) => {
    table.querySelectorAll("th").forEach((th, column) => {
      th.tabIndex = 0;
      th.setAttribute("aria-sort", "none");
      const sort = () => {
        const body = table.tBodies[0];
        const ascending = th.getAttribute("aria-sort") !== "ascending";
        const key = (row) => row.cells[column].textContent.trim();
        const rows = Array.from(body.rows).sort((a, b) => {
          const x = key(a), y = key(b), nx = parseFloat(x), ny = parseFloat(y);
          const order = !isNaN(nx) && !isNaN(ny) && !/^\d{4}-/.test(x) ? nx - ny : x.localeCompare(y);
          return ascending ? order : -order;
        });
        rows.forEach((r) => body.appendChild(r));
        table.querySelectorAll("th").forEach((h) => h.setAttribute("aria-sort", "none"));
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      };
      th.addEventListener("click", sort);
      th.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); } });
    });
  });
}

document.addEventListener("DOMContentLoaded", () => {
  lineNumbers();
  followRun();
  ganttHighlight();
  sortableTables();
});
