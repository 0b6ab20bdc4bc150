// quizapp learn: a countdown for timed quizzes and a guard against double submits.
// The pages work without this file: the server enforces the time limit and ignores repeats.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // A form marked data-once is sent once; its buttons are disabled after the first submit.
  document.querySelectorAll("form[data-once]").forEach((form) => {
    form.addEventListener("submit", () => {
      window.setTimeout(() => {
        form.querySelectorAll("button[type=submit]").forEach((b) => { b.disabled = true; });
      }, 0);
    });
  });

  const timer = document.querySelector("[data-seconds-left]");
  if (!timer) return;
  const value = timer.querySelector(".timer-value");
  const end = Date.now() + Number(timer.dataset.secondsLeft) * 1000;
  const tick = () => {
    const left = Math.max(0, Math.round((end - Date.now()) / 1000));
    const text = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")} min`;
    if (value.textContent !== text) value.textContent = text;
    if (left <= 60) timer.classList.add("timer-low");
    if (left > 0) {
      window.setTimeout(tick, 1000);
    } else {
      // Time is up: the server has handed the attempt in; show its results.
      window.setTimeout(() => { window.location.assign(timer.dataset.whenOver); }, 2500);
    }
  };
  tick();
});
