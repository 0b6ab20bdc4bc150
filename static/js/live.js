// quizapp live games: the players' phones, the projector and the host page.
// Pages render their current phase on the server (and work without this file);
// this script follows the game through server-sent events and redraws the view.
"use strict";
(() => {
  const root = document.getElementById("live");
  if (!root) return;

  const role = root.dataset.role; // player | screen | host
  const T = JSON.parse(root.dataset.strings);
  const initial = JSON.parse(root.dataset.state);
  const csrf = root.dataset.csrf;
  const SHAPES = ["▲", "◆", "●", "■", "★", "⬟", "⬢", "✚"];
  // The server's clock decides; ours only draws the countdown, corrected by this offset.
  const offset = Number(root.dataset.serverMs) - Date.now();
  const serverNow = () => Date.now() + offset;

  const view = root.querySelector("[data-view]");
  const status = root.querySelector("[data-status]");
  let seq = Number(root.dataset.seq);
  let current = initial.event ? { type: initial.event.type, data: initial.event.data } : null;
  let answeredIndex = initial.phase === "question" && initial.answered === true && current
    ? current.data.index : null;
  let paused = Boolean(initial.paused);
  let countdown = null;

  /** Fill {placeholders} of a translated string; counts ({one, other}) pick their form by n. */
  const fmt = (key, values = {}) => {
    const entry = T[key];
    const text = typeof entry === "string" ? entry : (values.n === 1 ? entry.one : entry.other);
    return text.replace(/\{(\w+)\}/g, (_, name) => (name in values ? String(values[name]) : ""));
  };

  /** Build an element; children are nodes or text (never parsed as HTML). */
  function h(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (value === false || value === null || value === undefined) continue;
      if (name === "text") node.textContent = value;
      // Only HTML the server rendered from Markdown and cleaned with nh3 (prompt_html …).
      else if (name === "safeHtml") node.innerHTML = value;
      else node.setAttribute(name, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function setStatus(text) {
    if (status) status.textContent = text || "";
  }

  function post(url, body, json = true) {
    // The page's language: a JSON answer's refusal is worded in it (its request does not
    // open the session, where a chosen language is kept).
    const headers = {
      "X-CSRFToken": csrf,
      Accept: "application/json",
      "Accept-Language": document.documentElement.lang || "de",
    };
    if (json) headers["Content-Type"] = "application/json";
    return fetch(url, {
      method: "POST",
      headers,
      body: json ? JSON.stringify(body) : body,
      credentials: "same-origin",
    });
  }

  // --- what a question offers ---------------------------------------------------------------

  /** The answer choices of a question as [value, label] pairs (none for numbers). */
  function choices(d) {
    if (d.type === "single_choice" || d.type === "multiple_choice") {
      return d.view.options.map((o) => [o.id, o.text]);
    }
    if (d.type === "true_false") return [[true, T.true], [false, T.false]];
    if (d.type === "fact_or_opinion") return d.view.choices.map((c) => [c, T[c] || c]);
    return [];
  }

  function labelOf(d, value) {
    const found = choices(d).find(([v]) => String(v) === String(value));
    return found ? found[1] : String(value);
  }

  function solutionText(d) {
    const s = d.solution;
    if (d.type === "single_choice" || d.type === "multiple_choice") {
      return s.options.map((i) => labelOf(d, i)).join("; ");
    }
    if (d.type === "true_false") return labelOf(d, s.value);
    if (d.type === "fact_or_opinion") return labelOf(d, s.category);
    if (d.type === "numeric") {
      let text = String(s.value) + (s.unit ? " " + s.unit : "");
      if (s.tolerance) text += " " + fmt("tolerance", { t: s.tolerance });
      return text;
    }
    return "";
  }

  function isRight(d, value) {
    const s = d.solution;
    if (s.options) return s.options.includes(value);
    if ("category" in s) return s.category === value;
    if ("value" in s && d.type === "true_false") return s.value === value;
    return false;
  }

  // --- pieces shared by phones and projector ------------------------------------------------

  function counter(d) {
    return h("p", { class: "counter", text: fmt("question_of", { n: d.index + 1, count: d.count }) });
  }

  function questionHead(d) {
    return [
      counter(d),
      promptHeading(d),
      questionImage(d),
      d.view.statement ? h("blockquote", { class: "statement", text: d.view.statement }) : null,
      h("div", { class: "timer" },
        h("progress", { "data-timer": true, max: d.limit_ms, value: d.limit_ms,
          "aria-label": T.seconds_left.replace("{s}", "").trim() }),
        h("p", { class: "seconds", "data-seconds": true })),
    ];
  }

  function promptHeading(d) {
    return d.prompt_html !== undefined
      ? h("h1", { class: "prompt", tabindex: "-1", safeHtml: d.prompt_html })
      : h("h1", { class: "prompt", tabindex: "-1", text: d.prompt });
  }

  function questionImage(d) {
    return d.image ? h("img", { class: "question-image", src: `/images/${Number(d.image.id)}`, alt: d.image.alt }) : null;
  }

  function explanation(d) {
    const src = d.source || {};
    const title = src.url ? h("a", { href: src.url, rel: "noopener", text: src.title }) : src.title;
    const text = d.explanation_html !== undefined
      ? h("div", { safeHtml: d.explanation_html }) : h("p", { text: d.explanation });
    const source = d.quote
      ? h("figure", { class: "source-quote" },
        h("figcaption", { text: T.from_article }),
        h("blockquote", { text: d.quote }),
        h("p", { class: "source" }, T.source + ": ", title, src.name ? ` (${src.name})` : ""))
      : h("p", { class: "no-source", text: T.no_source });
    return h("div", { class: "explanation" }, h("h2", { text: T.explanation }), text, source);
  }

  function table(d, title) {
    return [
      h("h1", { tabindex: "-1", text: title }),
      h("ol", { class: "leaderboard" }, d.top.map((row) =>
        h("li", {},
          h("span", { class: "lb-rank", text: `${row.rank}.` }), " ",
          h("span", { class: "lb-name", text: row.nickname }), " ",
          h("span", { class: "lb-score", text: row.score })))),
    ];
  }

  function podium(d) {
    return [
      h("h1", { tabindex: "-1", text: T.podium }),
      h("ol", { class: "podium" }, d.top.map((row) =>
        h("li", { class: `place-${row.rank}` },
          h("span", { class: "podium-rank", text: `${row.rank}.` }), " ",
          h("span", { class: "podium-name", text: row.nickname }), " ",
          h("span", { class: "podium-score", text: row.score })))),
    ];
  }

  function myPlace(d) {
    if (!d.me) return null;
    return h("p", { class: "my-place" },
      fmt("your_place", { rank: d.me.rank, players: d.players }) + " · " +
      fmt("points_total", { n: d.me.score }));
  }

  function show(nodes, focus = role === "player") {
    view.replaceChildren(...nodes.flat().filter(Boolean));
    view.hidden = false;
    const heading = view.querySelector("h1");
    if (focus && heading) heading.focus({ preventScroll: false });
  }

  // --- the countdown ------------------------------------------------------------------------

  function stopCountdown() {
    if (countdown) clearInterval(countdown);
    countdown = null;
  }

  function startCountdown(d) {
    stopCountdown();
    let nudged = false;
    const step = () => {
      const bar = view.querySelector("[data-timer]");
      const label = view.querySelector("[data-seconds]");
      const answers = view.querySelector("[data-answer-form], .options");
      if (!bar || !label) return stopCountdown();
      const t = serverNow();
      if (t < d.options_ms) {
        if (answers) answers.hidden = true;
        label.textContent = T.get_ready;
        bar.value = d.limit_ms;
        return;
      }
      if (answers) answers.hidden = false;
      const left = Math.max(0, d.deadline_ms - t);
      bar.value = left;
      label.textContent = fmt("seconds_left", { s: Math.ceil(left / 1000) });
      if (left === 0 && role === "screen" && !nudged) {
        nudged = true;
        // Any worker's timer closes the question; the projector's nudge is a fallback.
        setTimeout(() => post(root.dataset.tickUrl, {}), 300);
      }
    };
    step();
    countdown = setInterval(step, 250);
  }

  // --- phones -------------------------------------------------------------------------------

  function updateMe(me) {
    if (!me) return;
    const score = root.querySelector("[data-me-score]");
    const rank = root.querySelector("[data-me-rank]");
    if (score) score.textContent = me.score;
    if (rank) rank.textContent = me.rank || "–";
  }

  function answerForm(d) {
    const form = h("form", { method: "post", action: root.dataset.answerUrl,
      class: `answers type-${d.type}`, "data-answer-form": true },
      h("input", { type: "hidden", name: "csrf_token", value: csrf }),
      h("input", { type: "hidden", name: "index", value: d.index }));
    if (d.type === "multiple_choice") {
      form.append(
        h("input", { type: "hidden", name: "multi", value: "1" }),
        h("fieldset", {}, h("legend", { text: T.choose_all || "" }),
          choices(d).map(([value, text], i) =>
            h("label", { class: `option option-${i}` },
              h("input", { type: "checkbox", name: "answer", value }), " ",
              h("span", { class: "shape", "aria-hidden": "true", text: SHAPES[i % 8] }), " ", text))),
        h("button", { type: "submit", class: "button primary send", text: T.send }));
    } else if (d.type === "numeric") {
      form.append(
        h("div", { class: "field" },
          h("label", { for: "live-number", text: T.number }),
          h("input", { type: "text", id: "live-number", name: "answer", inputmode: "decimal",
            autocomplete: "off", required: true }),
          d.view.unit ? h("p", { class: "hint", text: d.view.unit }) : null),
        h("button", { type: "submit", class: "button primary send", text: T.send }));
    } else {
      form.append(...choices(d).map(([value, text], i) =>
        h("button", { type: "submit", name: "answer", value: String(value), class: `option option-${i}` },
          h("span", { class: "shape", "aria-hidden": "true", text: SHAPES[i % 8] }), " ", text)));
    }
    return form;
  }

  function playerQuestion(d) {
    const done = answeredIndex === d.index;
    show([...questionHead(d), done ? h("p", { class: "received", text: T.answer_received }) : answerForm(d)]);
    if (!paused) startCountdown(d);
  }

  /** The value to send for the pressed button, the ticked boxes or the typed number. */
  function answerValue(d, form, submitter) {
    if (d.type === "multiple_choice") {
      return [...form.querySelectorAll("input[name=answer]:checked")].map((b) => b.value);
    }
    if (d.type === "numeric") return form.querySelector("input[name=answer]").value;
    const raw = submitter ? submitter.value : "";
    if (d.type === "true_false") return raw === "true";
    return raw;
  }

  async function sendAnswer(event) {
    const form = event.target.closest("[data-answer-form]");
    if (!form || !current || current.type !== "question") return;
    event.preventDefault();
    const d = current.data;
    const answer = answerValue(d, form, event.submitter);
    const buttons = form.querySelectorAll("button, input");
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const response = await post(root.dataset.answerUrl, { index: d.index, answer });
      const body = await response.json();
      if (response.ok || body.code === "twice") {
        answeredIndex = d.index;
        form.replaceWith(h("p", { class: "received", text: T.answer_received }));
        setStatus(T.answer_received);
      } else {
        setStatus(body.message);
        // Refused for now, not for good: the pupil answers again (after the pause, too).
        if (["invalid", "early", "paused"].includes(body.code)) {
          buttons.forEach((b) => { b.disabled = false; });
        }
      }
    } catch (error) {
      setStatus(T.reconnecting);
      buttons.forEach((b) => { b.disabled = false; });
    }
  }

  function playerReveal(d) {
    const me = d.me;
    let title = T.none;
    let kind = "is-wrong";
    if (me && me.correct === true) { title = T.right; kind = "is-right"; }
    else if (me && me.correct === false && me.points) { title = T.partly; kind = "is-partly"; }
    else if (me && me.correct === false) { title = T.wrong; }
    show([
      counter(d),
      h("div", { class: `result ${kind}` },
        h("h1", { tabindex: "-1", text: title }),
        me && me.points ? h("p", { class: "gained", text: fmt("points", { n: me.points }) }) : null,
        me && me.streak > 1 ? h("p", { class: "streak", text: fmt("streak", { n: me.streak }) }) : null),
      d.prompt_html !== undefined
        ? h("p", { class: "prompt-small", safeHtml: d.prompt_html })
        : h("p", { class: "prompt-small", text: d.prompt }),
      h("p", { class: "solution" }, h("strong", { text: T.right_answer }), " ", solutionText(d)),
      explanation(d),
    ]);
  }

  const player = {
    question(d) { setStatus(""); paused = false; playerQuestion(d); },
    reveal(d) { stopCountdown(); setStatus(""); paused = false; playerReveal(d); updateMe(d.me); },
    leaderboard(d) { show([myPlace(d), ...table(d, T.leaderboard)]); updateMe(d.me); },
    podium(d) {
      stopCountdown();
      show([...podium(d), myPlace(d), h("p", { text: d.idle ? T.closed_idle : T.game_over })]);
      updateMe(d.me);
    },
    kicked() { stopCountdown(); show([h("h1", { tabindex: "-1", text: T.removed })]); },
  };

  // --- projector ----------------------------------------------------------------------------

  const lobby = root.querySelector("[data-lobby]");
  let total = initial.players;

  function screenQuestion(d, answered = 0) {
    if (lobby) lobby.hidden = true;
    const joinLine = root.querySelector("[data-join-line]");
    if (joinLine) joinLine.hidden = false;
    const list = d.type === "numeric"
      ? h("p", { class: "numeric-hint", text: T.number_hint + (d.view.unit ? ` (${d.view.unit})` : "") })
      : h("ul", { class: "options" }, choices(d).map(([, text], i) =>
        h("li", { class: `option option-${i}` },
          h("span", { class: "shape", "aria-hidden": "true", text: SHAPES[i % 8] }), " ", text)));
    show([...questionHead(d), list,
      h("p", { class: "answered", "data-answered": true, text: fmt("answered_of", { n: answered, total }) })]);
    if (!paused) startCountdown(d);
  }

  function screenReveal(d) {
    const count = Math.max(d.answered, 1);
    let rows;
    if (d.type === "numeric") {
      rows = [["right", T.right_count, true], ["wrong", T.wrong_count, false]].map(([key, label, right]) =>
        bar(label, d.distribution[key] || 0, count, right, null));
    } else {
      rows = choices(d).map(([value, text], i) =>
        bar(text, d.distribution[String(value).toLowerCase()] || 0, count, isRight(d, value), i));
    }
    show([h("div", { class: "reveal" },
      h("div", { class: "reveal-main" },
        counter(d),
        promptHeading(d),
        // The bars of choices say which is right; a number has no bar of its own.
        d.type === "numeric"
          ? h("p", { class: "solution" }, h("strong", { text: T.right_answer }), " ", solutionText(d))
          : null,
        h("ul", { class: "distribution" }, rows)),
      h("div", { class: "reveal-side" }, explanation(d)))]);
  }

  /** One bar of the distribution; the right option says so in words, not only by colour. */
  function bar(label, value, max, right, index) {
    const shape = index === null ? null
      : h("span", { class: "shape", "aria-hidden": "true", text: SHAPES[index % 8] });
    const option = index === null ? "" : `option-${index} `;
    return h("li", { class: `${option}${right ? "is-right" : "is-wrong"}` },
      h("span", { class: "bar-label" }, shape, shape ? " " : "", label,
        right && index !== null ? [" ", h("span", { class: "verdict", text: T.correct_mark })] : null),
      h("meter", { min: 0, max, value, "aria-label": label }),
      h("span", { class: "bar-count", text: value }));
  }

  function addName(data) {
    const names = root.querySelector("[data-names]");
    if (names) names.append(h("li", { "data-player-id": data.id, text: data.nickname }));
    const count = root.querySelector("[data-player-count]");
    if (count) count.textContent = data.count;
    total = data.count;
  }

  const screen = {
    question(d) { setStatus(""); paused = false; screenQuestion(d); },
    reveal(d) { stopCountdown(); setStatus(""); paused = false; screenReveal(d); },
    leaderboard(d) { show(table(d, T.leaderboard)); },
    podium(d) {
      stopCountdown();
      show([...podium(d), d.idle ? h("p", { text: T.closed_idle }) : null]);
      root.querySelectorAll("[data-next], [data-keys]").forEach((node) => { node.hidden = true; });
    },
    joined: addName,
    answered(data) {
      // Counts of concurrent answers may arrive out of order: show the highest.
      if (current && current.data.index === data.index && data.count < (current.answered || 0)) return;
      if (current) current.answered = data.count;
      total = data.total;
      const line = view.querySelector("[data-answered]");
      if (line) line.textContent = fmt("answered_of", { n: data.count, total: data.total });
    },
    kicked(data) {
      const item = root.querySelector(`[data-names] [data-player-id="${data.player_id}"]`);
      if (item) item.remove();
    },
  };

  function pollCode() {
    const url = root.dataset.codeUrl;
    const code = root.querySelector("[data-code]");
    if (!url || !code) return;
    setInterval(async () => {
      if (lobby && lobby.hidden) return;
      const response = await fetch(url, { credentials: "same-origin" });
      if (response.ok) code.textContent = (await response.json()).code;
    }, 2000);
  }

  /** Send one host action from the projector (its button, or a key). */
  function control(action) {
    const form = root.querySelector("[data-control-form]");
    const body = new FormData(form);
    body.set("action", action);
    body.set("seq", String(seq));
    return post(form.getAttribute("action"), body, false);
  }

  /** The projector's keys: Space or → moves on, P pauses and resumes. */
  function onKey(event) {
    if (event.ctrlKey || event.altKey || event.metaKey) return;
    if (event.target.closest("button, a, input, select, textarea, summary")) return;
    if (event.key === " " || event.key === "ArrowRight") {
      event.preventDefault();
      if (initial.phase !== "podium" && !(current && current.type === "podium")) control("next");
    } else if (event.key === "p" || event.key === "P") {
      if (current && current.type === "question") control(paused ? "resume" : "pause");
    }
  }

  async function sendControl(event) {
    const form = event.target.closest("[data-control-form]");
    if (!form) return;
    event.preventDefault();
    const body = new FormData(form);
    if (event.submitter) body.set(event.submitter.name, event.submitter.value);
    body.set("seq", String(seq));
    // getAttribute: the button named "action" hides the form's action property.
    await post(form.getAttribute("action"), body, false);
  }

  // --- host page: new players appear, phase changes reload the page --------------------------

  const host = {
    joined(data) {
      const list = root.querySelector("[data-host-players]");
      const template = root.querySelector("[data-player-template]");
      if (list && template) {
        const item = template.content.firstElementChild.cloneNode(true);
        item.querySelector("[data-name]").textContent = data.nickname;
        const form = item.querySelector("form");
        const action = form.getAttribute("action").replace(/\/players\/0\//, `/players/${data.id}/`);
        form.setAttribute("action", action);
        const button = item.querySelector("button");
        button.textContent = button.dataset.kickLabel.replace("{name}", data.nickname);
        list.append(item);
      }
      const count = root.querySelector("[data-player-count]");
      if (count) count.textContent = data.count;
    },
    answered(data) {
      const line = root.querySelector("[data-answered]");
      if (line) line.textContent = fmt("answered_of", { n: data.count, total: data.total });
    },
  };

  // --- the event stream ---------------------------------------------------------------------

  const handlers = { player, screen, host }[role];

  function handle(type, data, id) {
    if (id) seq = Math.max(seq, Number(id));
    const seqInput = root.querySelector("[data-seq-input]");
    if (seqInput) seqInput.value = String(seq);
    if (type === "paused") {
      paused = true;
      stopCountdown();
      setStatus(T.paused);
      if (role === "host") window.location.reload();
      return;
    }
    if (type === "resumed") {
      paused = false;
      setStatus("");
      if (current && current.type === "question") current.data = data;
      if (role === "host") window.location.reload();
      else startCountdown(data);
      return;
    }
    if (role === "host" && id) {
      window.location.reload();
      return;
    }
    if (["question", "reveal", "leaderboard", "podium"].includes(type)) current = { type, data };
    const handler = handlers[type];
    if (handler) handler(data);
  }

  function listen() {
    const es = new EventSource(`${root.dataset.eventsUrl}?after=${seq}`);
    const types = ["question", "reveal", "leaderboard", "podium", "paused", "resumed", "kicked",
      "lock", "joined", "answered"];
    for (const type of types) {
      es.addEventListener(type, (event) => {
        const data = JSON.parse(event.data);
        handle(type, data, event.lastEventId);
        if (data.final) es.close();
      });
    }
    es.addEventListener("open", () => { if (!paused) setStatus(""); });
    es.addEventListener("error", () => {
      if (es.readyState !== EventSource.CLOSED) setStatus(T.reconnecting);
    });
  }

  // --- start --------------------------------------------------------------------------------

  if (role === "player") {
    root.addEventListener("submit", sendAnswer);
  } else if (role === "screen") {
    root.addEventListener("submit", sendControl);
    document.addEventListener("keydown", onKey);
    pollCode();
  }
  if (current && current.type === "question" && !paused && role !== "host") startCountdown(current.data);
  if (initial.phase !== "podium") listen();
})();
