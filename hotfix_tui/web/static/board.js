// hotfix-tui live board: renders the board JSON as text nodes only (textContent, no HTML parsing),
// ticks the clocks every second from the start time and target, and follows the server's events.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const STATE_WORDS = {
    "ok": "On track",
    "warning": "Warning: time running short",
    "critical": "Critical: almost out of time",
    "breached": "SLA breached",
    "met": "Resolved within the SLA",
    "missed": "Resolved after the SLA",
    "not-started": "Clock not started",
    "overdue": "Overdue",
    "due": "Due now",
  };
  const TASK_WORDS = {
    "done": "done", "open": "open", "skipped": "skipped", "n/a": "not applicable", "choice": "choice",
  };

  let data = null;       // the last board JSON
  let offsetMs = 0;      // server clock minus this browser's clock
  let lastContact = 0;   // Date.now() of the last message from the server
  let source = null;
  let key = null;
  const openPhases = new Map(); // phase index -> open, as the viewer left it

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function duration(seconds) {
    const s = Math.floor(Math.abs(seconds));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    return h + ":" + String(m).padStart(2, "0") + ":" + String(r).padStart(2, "0");
  }

  function level(fraction, warnings) {
    const passed = warnings.filter((w) => fraction >= w).length;
    if (passed === 0) return "ok";
    return passed >= warnings.length ? "critical" : "warning";
  }

  function serverNow() { return Date.now() + offsetMs; }

  function ago(ms) {
    const s = Math.max(0, Math.round(ms / 1000));
    return s < 60 ? s + " s ago" : duration(s) + " ago";
  }

  // --- clocks (every second, from absolute times: never drifts) --------------------------------

  function tick() {
    if (data && !data.error) {
      tickSla();
      tickWindows();
      tickReminders();
    }
    const conn = $("conn");
    if (lastContact) {
      const live = source && source.readyState === EventSource.OPEN;
      conn.dataset.live = live ? "yes" : "no";
      conn.textContent = (live ? "Live" : "Connection lost, reconnecting…") +
        " · last update " + ago(Date.now() - lastContact);
    }
  }

  function tickSla() {
    const c = data.clock, box = $("clock");
    let state = "not-started", text = "--:--:--", detail = "";
    if (c && c.start) {
      const start = Date.parse(c.start);
      const end = c.stop ? Date.parse(c.stop) : serverNow();
      const elapsed = Math.max(0, (end - start) / 1000);
      const remaining = c.target_seconds - elapsed;
      const fraction = elapsed / c.target_seconds;
      if (c.stop) state = remaining >= 0 ? "met" : "missed";
      else state = remaining < 0 ? "breached" : level(fraction, c.warnings);
      text = remaining >= 0 ? duration(remaining) : "−" + duration(remaining);
      const sev = data.status.severity || "?";
      detail = (c.stop ? "resolved in " : "elapsed ") + duration(elapsed) + " of the " + sev +
        " target " + duration(c.target_seconds) + " (" + Math.floor(fraction * 100) + "\u00a0%)";
      if (remaining < 0 && !c.stop) detail += " · overdue by " + duration(remaining);
    } else if (c) {
      detail = "starts when the incident start time is recorded";
    } else {
      detail = "no SLA: this incident has no workflow severity";
    }
    box.dataset.state = state;
    $("countdown").textContent = text;
    $("sla-state").textContent = STATE_WORDS[state] || state;
    $("sla-detail").textContent = detail;
  }

  function tickWindows() {
    const list = $("windows");
    const items = list.children;
    (data.windows || []).forEach((w, i) => {
      const li = items[i];
      if (!li) return;
      const remaining = (Date.parse(w.due) - serverNow()) / 1000;
      let state = "overdue";
      if (remaining >= 0) {
        const frac = w.duration_seconds ? (w.duration_seconds - remaining) / w.duration_seconds : 0;
        state = level(frac, w.warnings || []);
      }
      li.dataset.state = state;
      li.querySelector(".left").textContent =
        remaining >= 0 ? duration(remaining) + " left" : "overdue by " + duration(remaining);
      li.querySelector(".wstate").textContent = STATE_WORDS[state] || state;
    });
  }

  function tickReminders() {
    const items = $("reminders").children;
    (data.reminders || []).forEach((r, i) => {
      const li = items[i];
      if (!li) return;
      const remaining = (Date.parse(r.due) - serverNow()) / 1000;
      const due = remaining <= 0;
      li.dataset.state = due ? "due" : "ok";
      li.querySelector(".left").textContent = due
        ? (remaining <= -60 ? "due " + duration(remaining) + " ago" : "due")
        : "in " + duration(remaining);
      li.querySelector(".wstate").textContent = due ? STATE_WORDS.due : "Next";
    });
  }

  // --- rendering ---------------------------------------------------------------------------------

  function render(d) {
    data = d;
    if (d.now) offsetMs = Date.parse(d.now) - Date.now();
    renderNav(d.incidents || []);
    renderRuns(d.runs || []);
    const err = $("error");
    if (d.error) {
      err.hidden = false;
      err.textContent = "This incident cannot be read: " + d.error;
      $("title").textContent = d.key;
      return;
    }
    err.hidden = true;
    const s = d.status;
    document.title = s.id + " · " + s.title + " · hotfix-tui";
    $("title").textContent = s.title;
    $("f-id").textContent = s.id;
    const sev = $("f-sev");
    sev.textContent = s.severity || "?";
    if (d.severity_color) sev.style.setProperty("--sev", d.severity_color);
    else sev.style.removeProperty("--sev");
    $("f-sev-label").textContent = d.severity_label || "";
    $("f-status").textContent = s.status || "–";
    $("f-commander").textContent = d.commander || "nobody yet";
    const line = $("status-line");  // the latest status update sent (U, hotfix-tui update)
    line.hidden = !d.status_line;
    line.textContent = d.status_line ? "Status update " + when(d.status_line.at) + " (" +
      d.status_line.who + "): " + d.status_line.text : "";
    $("f-branch").textContent = s.branch || "–";
    $("f-branches").textContent = (d.branches || []).join(", ") || "this work tree only";
    renderCopy(d);
    renderWindows(d.windows || []);
    renderReminders(d.reminders || []);
    $("next").textContent = s.next ? s.next.id + " " + s.next.title : "Nothing open: every task is settled";
    const p = s.progress;
    $("progress").textContent = p.done + " of " + p.total + " settled";
    const bar = $("progress-bar");
    bar.max = Math.max(1, p.total);
    bar.value = p.done;
    renderPhases(d.phases || []);
    renderEvents(d.events || [], d.events_source);
    tick();
  }

  function when(iso) {
    return iso ? iso.slice(0, 19).replace("T", " ") + " UTC" : "";
  }

  function renderCopy(d) {
    const lines = d.diverged_lines || [];  // the copies on other branches that lack events
    const div = $("diverged-note");
    div.hidden = lines.length === 0;
    div.textContent = lines.length ? "Shown merged across branches: " + lines.join(" · ") : "";
    const note = $("copy-note");
    note.hidden = !d.read_only;
    if (!d.read_only) return;
    note.textContent = "Read-only copy from branch " + d.source + " (not checked out here) · as of " +
      (d.as_of ? when(d.as_of) : "never fetched");
  }

  function renderReminders(list) {
    $("rem-sec").hidden = list.length === 0;
    $("reminders").replaceChildren(...list.map((r) => {
      const li = el("li");
      li.dataset.reminder = r.id;
      li.append(el("strong", null, r.label), document.createTextNode(": "),
        el("span", "left"), document.createTextNode(" · "), el("span", "wstate"),
        el("span", "muted", " (every " + duration(r.interval_seconds) + ", due " +
          when(r.due).slice(0, 16) + " UTC" + (r.task ? ", task " + r.task : "") + ")"));
      return li;
    }));
  }

  // spec-kit's workflow runs: waiting gates first; the board is read-only, so it shows how to
  // answer (the hotfix-tui command, or spec-kit's own prompt when the gate has no verdict_input)
  function renderRuns(runs) {
    const waiting = runs.filter((r) => r.gate && r.gate.waiting).length;
    $("runs-sec").hidden = runs.length === 0;
    $("runs-count").textContent = runs.length + " (" + waiting + " waiting at a gate)";
    $("runs").replaceChildren(...runs.map((r) => {
      const li = el("li");
      li.dataset.run = r.run_id;
      li.dataset.status = r.error ? "unreadable" : r.status;
      li.append(el("code", "tid", r.run_id), document.createTextNode(" "));
      if (r.error) {
        li.append(el("span", "why", "unreadable: " + r.error));
        return li;
      }
      li.append(el("strong", null, r.workflow_name || r.workflow_id || "?"),
        document.createTextNode(" · "), el("span", "badge", r.status || "?"));
      if (r.current_step_id) li.append(document.createTextNode(" at " + r.current_step_id));
      if (r.step_error) li.append(el("span", "why", r.step_error));
      const g = r.gate;
      if (g && g.waiting) {
        const p = el("p", "gate");
        p.append(el("strong", null, "Gate " + g.step_id + ": "), document.createTextNode(g.message),
          el("span", "muted", " [" + (g.options || []).join(" / ") + "] since " + when(r.updated_at)));
        li.append(p);
        const how = g.command ? [g.command] : g.answer;
        const note = g.command ? "no verdict_input: answer at spec-kit's prompt" : "answer with";
        li.append(el("p", "muted", note + ":"), ...how.map((c) => el("pre", "cmd", c)));
      }
      (r.incident_keys || []).forEach((k) => {
        const a = el("a", "run-incident", k);
        a.href = "/i/" + encodeURIComponent(k);
        li.append(document.createTextNode(" → "), a);
      });
      return li;
    }));
  }

  function renderNav(list) {
    const nav = $("incidents"), ul = $("incident-list");
    nav.hidden = list.length < 2;
    ul.replaceChildren(...list.map((x) => {
      const li = el("li");
      const a = el("a", null, x.key + " · " + x.title);
      if (x.where) a.append(el("span", "nav-where", " (" + x.where + ")"));
      a.href = "/i/" + encodeURIComponent(x.key);
      if (x.key === key) a.setAttribute("aria-current", "page");
      li.append(a);
      return li;
    }));
  }

  function renderWindows(windows) {
    $("windows-sec").hidden = windows.length === 0;
    $("windows").replaceChildren(...windows.map((w) => {
      const li = el("li");
      li.append(el("strong", null, w.label), document.createTextNode(": "),
        el("span", "left"), document.createTextNode(" · "), el("span", "wstate"),
        el("span", "muted", " (due " + w.due.slice(0, 16).replace("T", " ") + " UTC)"));
      return li;
    }));
  }

  function renderPhases(phases) {
    $("phase-list").replaceChildren(...phases.map((ph, i) => {
      const det = el("details", "phase");
      const finished = ph.tasks.every((t) => t.state !== "open" && (!t.choice || t.choice.value));
      det.open = openPhases.has(i) ? openPhases.get(i) : !finished || phases.length < 3;
      det.addEventListener("toggle", () => openPhases.set(i, det.open));
      const sum = el("summary");
      const bar = el("progress");
      bar.max = Math.max(1, ph.total);
      bar.value = ph.done;
      bar.setAttribute("aria-label", ph.name + ": " + ph.done + " of " + ph.total + " settled");
      sum.append(el("h3", null, ph.name), bar, el("span", "muted", ph.done + "/" + ph.total));
      det.append(sum);
      const ul = el("ul", "tasks");
      for (const t of ph.tasks) ul.append(taskItem(t));
      det.append(ul);
      return det;
    }));
  }

  function choiceItem(t) {
    const li = el("li", "choice");
    li.dataset.choice = t.title;
    const value = t.choice.value;
    li.append(el("span", "title", t.title + ": "),
      el("span", value ? "value" : "muted", value || "not answered"),
      el("span", "muted", " (" + t.choice.options.join(" / ") + ")"));
    return li;
  }

  function taskItem(t) {
    if (t.state === "choice") return choiceItem(t);
    const li = el("li");
    li.dataset.task = t.id;
    li.dataset.state = t.state;
    const box = el("input");
    box.type = "checkbox";
    box.disabled = true;
    box.checked = t.state === "done";
    const label = el("label", "label");
    const id = "task-" + (t.id || Math.random().toString(36).slice(2));
    box.id = id;
    label.htmlFor = id;
    box.setAttribute("aria-describedby", id + "-s");
    if (t.id) label.append(el("span", "tid", t.id), " ");
    if (t.state !== "open" && t.state !== "done") {
      label.append(el("span", "badge", TASK_WORDS[t.state]), " ");
    }
    label.append(el("span", "title", t.title));
    if (t.assignee) label.append(" ", el("span", "muted", "@" + t.assignee));
    label.append(el("span", "sr", " (" + TASK_WORDS[t.state] + ")"));
    label.lastChild.id = id + "-s";
    if (t.choice) label.append(el("span", "why", "choice: " + (t.choice.value || "not answered")));
    if (t.reason && t.state !== "done" && t.state !== "open") {
      label.append(el("span", "why", (t.state === "skipped" ? "skipped: " : "why: ") + t.reason));
    }
    li.append(box, label);
    return li;
  }

  function renderEvents(events, src) {
    $("events").replaceChildren(...events.map((e) => {
      const li = el("li");
      let when = e.when || "";
      if (/^\d{4}-\d\d-\d\dT/.test(when)) when = when.slice(0, 19).replace("T", " ") + " UTC";
      li.append(el("span", "when", when), el("span", "who", e.who || ""), el("span", null, e.text));
      return li;
    }));
    $("events-src").textContent = events.length ? "from " + src : "No events recorded yet.";
  }

  // --- the live feed -----------------------------------------------------------------------------

  function connect() {
    source = new EventSource("/api/stream/" + encodeURIComponent(key));
    source.addEventListener("board", (ev) => {
      lastContact = Date.now();
      render(JSON.parse(ev.data));
    });
    source.addEventListener("ping", (ev) => {
      lastContact = Date.now();
      const t = Date.parse(JSON.parse(ev.data));
      if (!isNaN(t)) offsetMs = t - Date.now();
    });
    source.addEventListener("error", () => {
      tick();
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 5000); // e.g. a 401 or 404
    });
  }

  async function start() {
    const path = location.pathname;
    if (path.startsWith("/i/")) {
      key = decodeURIComponent(path.slice(3));
      connect();
      return;
    }
    try {
      const resp = await fetch("/api/incidents", { credentials: "same-origin" });
      const list = resp.ok ? await resp.json() : [];
      if (list.length) {
        key = list[0].key;
        connect();
        return;
      }
      $("title").textContent = "No incident in this repository yet";
      $("conn").textContent = "Waiting for an incident…";
      const runs = await fetch("/api/runs", { credentials: "same-origin" });
      if (runs.ok) renderRuns(await runs.json());
    } catch (e) {
      $("conn").textContent = "The board server cannot be reached; retrying…";
    }
    setTimeout(start, 5000);
  }

  setInterval(tick, 1000);
  start();
})();
