// quizapp: small progressive enhancements; every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Forms marked data-confirm ask before they are sent.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });

  // The header menus (<details>) close on Escape and on a click elsewhere; focus returns to their button.
  const menus = Array.from(document.querySelectorAll(".site-header details"));
  const closeAll = (except) => {
    menus.forEach((menu) => {
      if (menu.open && !menu.contains(except)) menu.open = false;
    });
  };
  document.addEventListener("click", (event) => closeAll(event.target));
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const open = menus.filter((menu) => menu.open);
    if (!open.length) return;
    const innermost = open[open.length - 1];
    innermost.open = false;
    innermost.querySelector("summary").focus();
  });
});
