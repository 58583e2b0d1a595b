// Live "N characters left" under a textarea with data-maxlength; progressive enhancement.
// Without it the hint says the limit and the server answers a longer text with a message,
// keeping the text. There is no maxlength attribute on purpose: it cuts a paste off silently.
(() => {
  // Count as the server does: line breaks once each, surrounding spaces ignored, and
  // characters (code points), not UTF-16 units, so an emoji is one.
  const length = (text) => [...text.trim()].length;
  const plural = (n, word) => `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;

  document.querySelectorAll("textarea[data-maxlength]").forEach((box) => {
    const max = Number(box.dataset.maxlength);
    const hint = document.getElementById(`${box.id}-hint`);
    if (!max || !hint) return;
    // The visible count changes with every key; the polite live region only once typing
    // pauses, so a screen reader is not interrupted on each character.
    hint.setAttribute("aria-hidden", "true");
    const status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");
    hint.after(status);
    let timer;

    const update = (announce) => {
      const left = max - length(box.value);
      const text = left >= 0
        ? `${plural(left, "character")} left`
        : `${plural(-left, "character")} too many`;
      hint.textContent = text;
      hint.classList.toggle("count-over", left < 0);
      clearTimeout(timer);
      if (announce) timer = setTimeout(() => { status.textContent = text; }, 800);
    };
    hint.classList.add("char-count");
    box.addEventListener("input", () => update(true));
    update(false);
  });
})();
