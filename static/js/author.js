// Authoring: make a claim from the text selected in the article (the form works without this).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const source = document.querySelector("[data-article-text]");
  const button = document.querySelector("[data-use-selection]");
  const form = button && button.closest("form");
  if (!source || !form) return;
  button.hidden = false;

  // The offset in the article of a point (node, offset) inside one of its blocks.
  function offsetOf(node, offset) {
    const block = (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement).closest("[data-start]");
    if (!block || !source.contains(block)) return null;
    const range = document.createRange();
    range.setStart(block, 0);
    range.setEnd(node, offset);
    return Number(block.dataset.start) + range.toString().length;
  }

  function useSelection() {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) return false;
    const range = selection.getRangeAt(0);
    const start = offsetOf(range.startContainer, range.startOffset);
    const end = offsetOf(range.endContainer, range.endOffset);
    if (start === null || end === null) return false;
    const text = selection.toString().trim();
    if (!text) return false;
    form.elements.quote.value = text;
    form.elements.start.value = String(start + (selection.toString().length - selection.toString().trimStart().length));
    form.elements.end.value = String(end - (selection.toString().length - selection.toString().trimEnd().length));
    form.elements.sentence.value = "";
    return true;
  }

  let last = null;
  document.addEventListener("selectionchange", () => {
    const selection = window.getSelection();
    if (selection && !selection.isCollapsed && source.contains(selection.anchorNode)) {
      last = selection.getRangeAt(0).cloneRange();
    }
  });
  button.addEventListener("click", () => {
    if (last) {
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(last);
    }
    if (useSelection()) form.elements.quote.focus();
  });
  // Choosing a sentence fills the quote too, and a typed quote forgets stale offsets.
  form.elements.sentence.addEventListener("change", () => {
    const option = form.elements.sentence.selectedOptions[0];
    const [start, end] = (form.elements.sentence.value || ":").split(":");
    form.elements.quote.value = start ? option.textContent : "";
    form.elements.start.value = start || "";
    form.elements.end.value = end || "";
  });
  form.elements.quote.addEventListener("input", () => {
    form.elements.start.value = "";
    form.elements.end.value = "";
  });
});
