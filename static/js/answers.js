// quizapp answers: ordering by drag and drop or by up/down buttons, matching by two taps.
// Without this file (or without SortableJS) the plain dropdowns of the form do the same job:
// the script keeps those dropdowns filled, so the server reads exactly the same fields.
"use strict";
(() => {
  const T = (el, key) => el.dataset[key] || "";

  /** Say something to screen readers through the form's live region. */
  function announce(form, text) {
    const region = form.querySelector("[data-announce]");
    if (region) region.textContent = text;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
  }

  /** Ordering: a list of the items with up/down buttons (and dragging when SortableJS is there). */
  function enhanceOrdering(fallback) {
    const form = fallback.closest("form");
    const selects = Array.from(fallback.querySelectorAll("select"));
    const items = Array.from(selects[0].options).filter((o) => o.value).map((o) => ({ id: o.value, text: o.text }));
    // Start from what the dropdowns already say, then the rest in the order given.
    const chosen = selects.map((s) => s.value).filter((v, i, all) => v && all.indexOf(v) === i);
    const order = chosen.concat(items.map((i) => i.id).filter((id) => !chosen.includes(id)));
    const byId = Object.fromEntries(items.map((i) => [i.id, i]));

    const list = document.createElement("ol");
    list.className = "sortable";
    list.setAttribute("aria-describedby", "ordering-help");
    const help = document.createElement("p");
    help.id = "ordering-help";
    help.className = "hint";
    help.textContent = T(fallback, "help");

    const sync = () => {
      Array.from(list.children).forEach((li, index) => {
        selects[index].value = li.dataset.id;
        li.querySelector(".place").textContent = String(index + 1);
        li.querySelector("[data-move='up']").disabled = index === 0;
        li.querySelector("[data-move='down']").disabled = index === list.children.length - 1;
      });
    };
    const moved = (li, button) => {
      sync();
      const place = Array.from(list.children).indexOf(li) + 1;
      announce(form, fill(T(fallback, "moved"), { item: byId[li.dataset.id].text, n: place, count: items.length }));
      if (button && !button.disabled) button.focus();
      else li.querySelector("button:not([disabled])").focus();
    };

    order.forEach((id) => {
      const li = document.createElement("li");
      li.className = "sortable-item";
      li.dataset.id = id;
      const handle = document.createElement("span");
      handle.className = "drag-handle";
      handle.setAttribute("aria-hidden", "true");
      handle.textContent = "⠿";
      const place = document.createElement("span");
      place.className = "place";
      place.setAttribute("aria-hidden", "true");
      const text = document.createElement("span");
      text.className = "item-text";
      text.textContent = byId[id].text;
      li.append(handle, place, text);
      for (const direction of ["up", "down"]) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "button small move";
        button.dataset.move = direction;
        button.setAttribute("aria-label", fill(T(fallback, direction), { item: byId[id].text }));
        button.textContent = direction === "up" ? "↑" : "↓";
        button.addEventListener("click", () => {
          const sibling = direction === "up" ? li.previousElementSibling : li.nextElementSibling;
          if (!sibling) return;
          if (direction === "up") list.insertBefore(li, sibling);
          else list.insertBefore(sibling, li);
          moved(li, button);
        });
        li.append(button);
      }
      list.append(li);
    });
    fallback.hidden = true;
    fallback.after(help, list);
    sync();
    if (window.Sortable) {
      window.Sortable.create(list, {
        animation: 150,
        forceFallback: true,        // pointer and touch events: the same drag on phones and mice
        fallbackTolerance: 4,
        delayOnTouchOnly: false,
        filter: "button",
        preventOnFilter: false,
        onEnd: (event) => moved(event.item, null),
      });
      list.classList.add("draggable");
    }
  }

  /** Matching: tap an item on the left, then its partner on the right. */
  function enhanceMatching(fallback) {
    const form = fallback.closest("form");
    const selects = Array.from(fallback.querySelectorAll("select"));
    const rights = Array.from(selects[0].options).filter((o) => o.value).map((o) => ({ id: o.value, text: o.text }));
    const board = document.createElement("div");
    board.className = "match-board";
    const help = document.createElement("p");
    help.className = "hint";
    help.id = "matching-help";
    help.textContent = T(fallback, "help");
    const left = document.createElement("ul");
    left.className = "match-left";
    left.setAttribute("aria-label", T(fallback, "leftLabel"));
    const right = document.createElement("ul");
    right.className = "match-right";
    right.setAttribute("aria-label", T(fallback, "rightLabel"));
    let active = null;

    const rightText = (id) => (rights.find((r) => r.id === id) || {}).text || "";
    const render = () => {
      left.querySelectorAll("button").forEach((button) => {
        const select = selects[Number(button.dataset.index)];
        button.setAttribute("aria-pressed", String(button === active));
        button.querySelector(".partner").textContent = select.value ? "→ " + rightText(select.value) : "";
        button.classList.toggle("matched", Boolean(select.value));
      });
      right.querySelectorAll("button").forEach((button) => {
        button.disabled = active === null;
        button.classList.toggle("taken", selects.some((s) => s.value === button.dataset.id));
      });
    };

    selects.forEach((select, index) => {
      const label = fallback.querySelector(`label[for="${select.id}"]`).textContent.trim();
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "match-item";
      button.dataset.index = String(index);
      button.dataset.label = label;
      button.dataset.for = select.id;
      const name = document.createElement("span");
      name.textContent = label;
      const partner = document.createElement("span");
      partner.className = "partner";
      button.append(name, " ", partner);
      button.addEventListener("click", () => {
        active = active === button ? null : button;
        render();
        if (active) announce(form, fill(T(fallback, "chosen"), { item: label }));
      });
      li.append(button);
      left.append(li);
    });
    rights.forEach((r) => {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "match-item";
      button.dataset.id = r.id;
      button.textContent = r.text;
      button.addEventListener("click", () => {
        if (!active) return;
        const index = Number(active.dataset.index);
        // Several items may share a partner (e.g. sorting statements into categories).
        selects[index].value = r.id;
        announce(form, fill(T(fallback, "paired"), { item: active.dataset.label, partner: r.text }));
        const next = left.querySelectorAll("button")[index];
        active = null;
        render();
        next.focus();
      });
      li.append(button);
      right.append(li);
    });
    board.append(left, right);
    fallback.hidden = true;
    fallback.after(help, board);
    render();
  }

  /** Reflections: a live word count against the minimum, spoken only when the minimum is reached. */
  function countWords(area) {
    const output = document.getElementById(area.id + "-count");
    const min = Number(area.dataset.minWords);
    let reached = null;
    const update = () => {
      const n = (area.value.match(/\S+/g) || []).length;
      const done = n >= min;
      output.textContent = fill(done ? area.dataset.countDone : area.dataset.countOne, { n, min });
      // Screen readers hear the count when the minimum is reached or lost, not on every word.
      output.setAttribute("aria-live", reached === null || done === reached ? "off" : "polite");
      output.classList.toggle("enough", done);
      reached = done;
    };
    output.hidden = false;
    area.addEventListener("input", update);
    update();
  }

  /** Exam navigator: flag questions to come back to (kept in this browser only). */
  function flags(nav) {
    const key = `quizapp-flags-${nav.dataset.attempt}`;
    const load = () => new Set(JSON.parse(window.localStorage.getItem(key) || "[]"));
    const current = nav.querySelector("[aria-current]").closest("li").dataset.number;
    const show = () => {
      const flagged = load();
      nav.querySelectorAll("li").forEach((li) => {
        li.classList.toggle("flagged", flagged.has(li.dataset.number));
        let note = li.querySelector(".flag-note");
        if (!note) {
          note = document.createElement("span");
          note.className = "visually-hidden flag-note";
          li.querySelector(".exam-nav-item").append(note);
        }
        note.textContent = flagged.has(li.dataset.number) ? `, ${nav.dataset.flagged}` : "";
      });
      button.setAttribute("aria-pressed", String(flagged.has(current)));
      button.textContent = "⚑ " + (flagged.has(current) ? nav.dataset.unflag : nav.dataset.flag);
    };
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button small flag-button";
    button.addEventListener("click", () => {
      const flagged = load();
      if (flagged.has(current)) flagged.delete(current); else flagged.add(current);
      window.localStorage.setItem(key, JSON.stringify(Array.from(flagged)));
      show();
    });
    nav.querySelector(".exam-nav-list").after(button);
    show();
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll(".exam-nav[data-attempt]").forEach(flags);
    document.querySelectorAll("textarea[data-min-words]").forEach(countWords);
    document.querySelectorAll("[data-ordering]").forEach(enhanceOrdering);
    document.querySelectorAll("[data-matching]").forEach(enhanceMatching);
  });
})();
