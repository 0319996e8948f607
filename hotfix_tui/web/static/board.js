// hotfix-tui live board: renders the board JSON as text nodes only (textContent, no HTML parsing),
// ticks the clocks on the server's second from the start time and target, and follows the server's
// events. "/" shows every open incident as a tile, urgent first ("?wall=1": all on one screen);
// "/i/<key>" one incident.
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
  const TILE_WORDS = {  // shorter, for a tile's pill
    "warning": "Running short",
    "critical": "Almost out of time",
  };
  const TASK_WORDS = {
    "done": "done", "open": "open", "skipped": "skipped", "n/a": "not applicable", "choice": "choice",
  };

  const WALL = new URLSearchParams(location.search).get("wall") === "1";
  const SLEW = 0.05;      // the clock's offset moves at most 50 ms per second toward the server's
  const SNAP_MS = 5000;   // ... unless it is this far off (the first reading, a clock jump)
  const STALE_MS = 3000;  // the stream lost this long: the page dims and says since when

  let tokenRefused = false; // the stream was refused with a 401 (see checkToken)
  let data = null;       // the last board JSON of an incident page
  let overview = null;   // the last tiles JSON of the landing page
  let offsetMs = null;   // server clock minus this browser's clock, smoothed (null: not heard yet)
  let wantMs = 0;        // ... the latest reading of it, which offsetMs moves toward
  let slewAt = 0;        // Date.now() when offsetMs last moved
  let lastContact = 0;   // Date.now() of the last message from the server
  let lostAt = 0;        // Date.now() when the stream was lost (0: live)
  let source = null;
  let key = null;        // the incident shown ("" on the landing page)
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

  // --- the server's clock: read from every message, smoothed so a second is never skipped or held

  function heard(serverMs) {
    if (typeof serverMs !== "number" || !isFinite(serverMs)) return;
    const reading = serverMs - Date.now();
    if (offsetMs === null || Math.abs(reading - offsetMs) > SNAP_MS) {
      offsetMs = reading;
      slewAt = Date.now();
    }
    wantMs = reading;
  }

  function serverNow() {
    const now = Date.now();
    if (offsetMs === null) return now;
    const step = Math.max(0, now - slewAt) * SLEW;
    offsetMs += Math.max(-step, Math.min(step, wantMs - offsetMs));
    slewAt = now;
    return now + offsetMs;
  }

  // the resolution clock at `nowMs` in whole seconds (null: not started or no SLA)
  function slaAt(c, nowMs) {
    if (!c || !c.start) return null;
    const start = Date.parse(c.start);
    const end = c.stop ? Date.parse(c.stop) : nowMs;
    const elapsed = Math.max(0, Math.floor((end - start) / 1000));
    const remaining = c.target_seconds - elapsed;
    const fraction = c.target_seconds > 0 ? elapsed / c.target_seconds : 0;
    let state;
    if (c.stop) state = remaining >= 0 ? "met" : "missed";
    else state = remaining < 0 ? "breached" : level(fraction, c.warnings || []);
    return { elapsed, remaining, fraction, state };
  }

  function hhmm(ms) {
    const d = new Date(ms);
    return String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
  }

  function ago(ms) {
    const s = Math.max(0, Math.round(ms / 1000));
    return s < 60 ? s + " s ago" : duration(s) + " ago";
  }

  // --- clocks (every second, from absolute times: never drifts) --------------------------------

  function tick() {
    const now = serverNow();
    if (data && !data.error && key) {
      tickSla(now);
      tickWindows(now);
      tickReminders(now);
    }
    if (overview && !key) tickTiles(now);
    const conn = $("conn");
    if (tokenRefused) {
      showTokenChanged();
    } else if (lastContact) {
      const live = source && source.readyState === EventSource.OPEN;
      conn.dataset.live = live ? "yes" : "no";
      conn.textContent = (live ? "Live" : "Connection lost, reconnecting…") +
        " · last update " + ago(Date.now() - lastContact);
    }
    const stale = lostAt > 0 && lastContact > 0 && Date.now() - lostAt >= STALE_MS;
    document.body.dataset.stale = stale ? "yes" : "no";
    const banner = $("stale");
    banner.hidden = !stale;
    banner.textContent = stale ? "Not live since " + hhmm(lastContact) +
      ": what is shown may be out of date · reconnecting…" : "";
  }

  // ticks on every second of the server's clock (a timer per second would drift across them)
  function schedule() {
    const into = ((serverNow() % 1000) + 1000) % 1000;
    setTimeout(() => { tick(); schedule(); }, 1000 - into + 20);
  }

  // the countdown's label, number and state: "Time left" / "Overdue by" / "Clock not started"
  function countdownWords(r) {
    if (!r) return { label: "Clock not started", text: "--:--:--", state: "not-started" };
    if (r.state === "met" || r.state === "missed") {
      return { label: "Resolved in", text: duration(r.elapsed), state: r.state };
    }
    return {
      label: r.remaining < 0 ? "Overdue by" : "Time left",
      text: duration(r.remaining),
      state: r.state,
    };
  }

  function tickSla(now) {
    const c = data.clock, box = $("clock");
    const r = slaAt(c, now);
    const w = countdownWords(r);
    let detail = "";
    if (r) {
      const sev = data.status.severity || "?";
      detail = (c.stop ? "resolved in " : "elapsed ") + duration(r.elapsed) + " of the " + sev +
        " target " + duration(c.target_seconds) + " (" + Math.floor(r.fraction * 100) + "\u00a0%)";
      if (c.stop) detail += r.remaining < 0 ? " · over by " + duration(r.remaining) : "";
    } else if (c) {
      detail = "starts when the incident start time is recorded";
    } else {
      detail = "no SLA: this incident has no workflow severity";
    }
    const state = w.state;
    box.dataset.state = state;
    $("sla-h").textContent = !r ? "Time left to resolve"
      : r.state === "met" || r.state === "missed" ? "Time to resolve"
      : r.remaining < 0 ? "Overdue by" : "Time left to resolve";
    $("countdown").textContent = w.text;
    $("countdown").dataset.countdown = r ? String(r.remaining) : "";
    $("sla-state").textContent = STATE_WORDS[state] || state;
    $("sla-detail").textContent = detail;
  }

  function tickWindows(now) {
    const list = $("windows");
    const items = list.children;
    (data.windows || []).forEach((w, i) => {
      const li = items[i];
      if (!li) return;
      const remaining = (Date.parse(w.due) - now) / 1000;
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

  function tickReminders(now) {
    const items = $("reminders").children;
    (data.reminders || []).forEach((r, i) => {
      const li = items[i];
      if (!li) return;
      const remaining = (Date.parse(r.due) - now) / 1000;
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
    $("f-branch").textContent = s.branch || "–";
    $("f-branches").textContent = (d.branches || []).join(", ") || "this work tree only";
    $("f-who").textContent = d.who || "nobody yet";
    renderCurrent(d.current);
    renderWhat(d.impact || [], d.detection);
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

  // the one line a viewer reads first: the latest stakeholder update, else status and next task
  function renderCurrent(c) {
    const p = $("current");
    p.hidden = !c;
    if (!c) return;
    p.replaceChildren(el("strong", null, c.update ? "Latest update: " : "Now: "),
      document.createTextNode(c.text));
    if (c.update) p.append(el("span", "muted", " (" + (c.who || "?") + ", " + when(c.at) + ")"));
  }

  function renderWhat(impact, detection) {
    $("what-sec").hidden = impact.length === 0 && !detection;
    const det = $("detected");
    det.hidden = !detection;
    det.textContent = detection ? "Detected " + when(detection.at) +
      (detection.how ? ": " + detection.how : "") : "";
    $("impact").replaceChildren(...impact.map((line) => el("li", null, line.replace(/^- /, ""))));
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
    for (const n of t.notes || []) {
      const note = el("span", "note");
      note.append(el("span", "muted", "Note" + (n.who ? " by " + n.who : "") +
        (n.time ? " (" + n.time + ")" : "") + ": "), document.createTextNode(n.text));
      label.append(note);
    }
    li.append(box, label);
    return li;
  }

  function renderEvents(events, src) {
    $("events").replaceChildren(...events.map((e) => {
      const li = el("li");
      let when = e.when || "";
      if (/^\d{4}-\d\d-\d\dT/.test(when)) when = when.slice(0, 19).replace("T", " ") + " UTC";
      li.append(el("span", "when", when), el("span", "what", e.text));
      if (e.who && !e.text.startsWith(e.who)) li.append(el("span", "who", " · " + e.who));
      if (e.late) {
        li.dataset.late = "yes";
        li.append(el("span", "late", "recorded later, at " +
          (e.recorded || "").slice(0, 19).replace("T", " ") + " UTC"));
      }
      return li;
    }));
    $("events-src").textContent = events.length ? "from " + src : "No events recorded yet.";
  }

  // --- the landing page: every open incident as a tile, urgent first -------------------------------

  function renderOverview(d) {
    overview = d;
    const open = d.open || [];
    document.title = (open.length ? open.length + " open · " : "") + "Incidents · hotfix-tui";
    $("open-count").textContent = open.length ? "(" + open.length + ")" : "";
    $("no-open").hidden = open.length > 0;
    $("tiles").replaceChildren(...open.map(tile));
    const done = d.resolved || [];
    $("resolved-h").textContent = "Resolved in the last " + (d.resolved_days || 30) + " days";
    $("resolved-sec").hidden = done.length === 0 || WALL;
    $("resolved").replaceChildren(...done.map(resolvedItem));
    renderRuns(d.runs || []);
    if (WALL) layoutWall(open.length);
    tick();
  }

  function sevBadge(t) {
    const sev = el("span", "sev", t.severity || "?");
    if (t.severity_color) sev.style.setProperty("--sev", t.severity_color);
    if (t.severity_label) sev.title = t.severity_label;
    return sev;
  }

  function titleLink(t, tag, cls) {
    const h = el(tag, cls);
    const a = el("a", null, t.title);
    a.href = t.board;
    h.append(a);
    return h;
  }

  function tile(t) {
    const li = el("li", "tile");
    li.dataset.key = t.key;
    const box = el("div", "tin");
    li.append(box);
    if (t.error) {
      li.dataset.state = "not-started";
      box.append(titleLink(t, "h2", "ttitle"), el("p", "why", "cannot be read: " + t.error));
      return li;
    }
    const head = el("p", "thead");
    head.append(sevBadge(t), el("span", "tid", t.id), el("span", "tstate"));
    const count = el("p", "tcount");
    const num = el("span", "tnum");
    num.dataset.countdown = "";
    count.append(el("span", "tlabel"), document.createTextNode(" "), num);
    const p = t.progress || { done: 0, total: 0 };
    const prog = el("p", "tprog");
    const bar = el("progress");
    bar.max = Math.max(1, p.total);
    bar.value = p.done;
    bar.setAttribute("aria-label", "progress: " + p.done + " of " + p.total + " settled");
    prog.append(bar, el("span", "muted", p.done + "/" + p.total));
    box.append(head, titleLink(t, "h2", "ttitle"), count, prog);
    if (t.current && t.current.update) box.append(el("p", "tcur", "Update: " + t.current.text));
    const next = t.next ? t.next.id + " " + t.next.title
      : t.next === null && t.who !== null ? "every task is settled" : "";
    if (next) box.append(el("p", "tnext", "Next: " + next));
    if (t.commander) box.append(el("p", "twho", "Commander: " + t.commander));
    else if (t.who) box.append(el("p", "twho", "Working it: " + t.who));
    if (t.read_only) box.append(el("p", "twhere muted", "on " + t.source));
    return li;
  }

  function tickTiles(now) {
    const byKey = new Map((overview.open || []).map((t) => [t.key, t]));
    for (const li of $("tiles").children) {
      const t = byKey.get(li.dataset.key);
      if (!t || t.error) continue;
      const r = slaAt(t.clock, now);
      const w = countdownWords(r);
      li.dataset.state = t.clock ? w.state : "not-started";
      li.querySelector(".tstate").textContent = t.clock
        ? TILE_WORDS[w.state] || STATE_WORDS[w.state] || w.state
        : (t.status || "no SLA");
      li.querySelector(".tlabel").textContent = t.clock ? w.label : "No SLA clock";
      const num = li.querySelector(".tnum");
      num.textContent = t.clock ? w.text : "";
      num.dataset.countdown = r ? String(r.remaining) : "";
    }
  }

  function resolvedItem(t) {
    const li = el("li");
    li.dataset.key = t.key;
    if (t.error) {
      li.append(titleLink(t, "span", "rtitle"), el("span", "why", " cannot be read: " + t.error));
      return li;
    }
    const r = slaAt(t.clock, 0);
    li.dataset.state = r ? r.state : "not-started";
    li.append(sevBadge(t), document.createTextNode(" "), titleLink(t, "span", "rtitle"));
    const facts = el("span", "rfacts");
    if (r) {
      facts.append(el("span", "state", r.state === "met" ? "SLA met" : "SLA breached"),
        document.createTextNode(" resolved in " + duration(r.elapsed) + " · " +
          when(t.clock.stop).slice(0, 16) + " UTC"));
    }
    li.append(facts);
    return li;
  }

  // wall mode: as many columns as make the tiles largest, every tile on the screen at once
  function layoutWall(n) {
    const grid = $("tiles");
    const W = grid.clientWidth || window.innerWidth;
    const H = window.innerHeight - grid.getBoundingClientRect().top - 8;
    let best = { cols: 1, rows: Math.max(1, n), size: 0 };
    for (let cols = 1; cols <= Math.max(1, n); cols++) {
      const rows = Math.max(1, Math.ceil(n / cols));
      const size = Math.min(W / cols / 1.6, H / rows);
      if (size > best.size) best = { cols, rows, size };
    }
    grid.style.setProperty("--cols", String(best.cols));
    grid.style.setProperty("--rows", String(best.rows));
    grid.style.setProperty("--tile-h", Math.floor(H / best.rows - 12) + "px");
  }

  // an address that is no incident here: say so and show every incident instead
  function showMissing(message) {
    key = "";
    data = null;
    $("incident").hidden = true;
    const err = $("error");
    err.hidden = false;
    err.textContent = message;
    document.title = "Not found · hotfix-tui";
    showOverview();
  }

  function showOverview() {
    $("overview").hidden = false;
    $("home").hidden = true;
    connect();
  }

  // --- the live feed -----------------------------------------------------------------------------

  function connect() {
    if (source) source.close();
    const url = key ? "/api/stream/" + encodeURIComponent(key) : "/api/stream";
    source = new EventSource(url);
    source.addEventListener("open", () => { lostAt = 0; tokenRefused = false; });
    source.addEventListener("board", (ev) => {
      lastContact = Date.now();
      lostAt = 0;
      const d = JSON.parse(ev.data);
      heard(d.now_ms);
      if (key) render(d); else renderOverview(d);
    });
    source.addEventListener("ping", () => {  // (its time is cut to the second: not read)
      lastContact = Date.now();
      lostAt = 0;
    });
    source.addEventListener("error", () => {
      if (!lostAt) lostAt = Date.now();
      tick();
      if (source.readyState === EventSource.CLOSED) closed(); // e.g. a 401 or 404
    });
  }

  // the stream was refused: an incident the server does not know is said at once
  async function closed() {
    if (key) {
      try {
        const resp = await fetch("/api/board/" + encodeURIComponent(key),
          { credentials: "same-origin" });
        if (resp.status === 404) {
          showMissing("No incident " + JSON.stringify(key) + " on this board. Open incidents:");
          return;
        }
      } catch (e) { /* the server is down: try again below */ }
    }
    await checkToken(); // a 401: the token changed (else the server is down: keep trying)
    setTimeout(connect, 5000);
  }

  // --- the token: "it changed, open the new link" told apart from "the server is down" ---------


  async function checkToken() {
    // EventSource hides the status of a refused stream: ask once (401: the token changed)
    try {
      const resp = await fetch("/api/incidents", { credentials: "same-origin", cache: "no-store" });
      tokenRefused = resp.status === 401;
    } catch (e) {
      tokenRefused = false; // no answer at all: the server is down, keep reconnecting
    }
    tick();
  }

  function showTokenChanged() {
    const conn = $("conn");
    conn.dataset.live = "token";
    conn.textContent = "The board's token changed: open the new link (ask whoever runs the board)";
  }

  function start() {
    document.body.dataset.wall = WALL ? "yes" : "no";
    const wall = $("wall-link");
    wall.href = WALL ? "/" : "/?wall=1";
    wall.textContent = WALL ? "Leave wall mode" : "Wall mode";
    const path = location.pathname;
    if (path.startsWith("/i/")) {
      try {
        key = decodeURIComponent(path.slice(3));
      } catch (e) {
        showMissing("This address names no incident (it is not valid URL encoding). " +
          "Open incidents:");
        return;
      }
      $("incident").hidden = false;
      connect();
      return;
    }
    key = "";
    showOverview();
  }

  window.addEventListener("resize", () => {
    if (WALL && overview) layoutWall((overview.open || []).length);
  });
  start();
  schedule();
})();
