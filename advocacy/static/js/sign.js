// Progressive enhancement for the sign form; the form works the same without it.
(() => {
  // After a failed submit, move focus to the summary so screen readers hear it first.
  // Wait for "load": the browser's own jump to #sign would otherwise take the focus away.
  const summary = document.getElementById("error-summary");
  if (summary) {
    window.addEventListener("load", () => setTimeout(() => summary.focus(), 0));
  }

  // One press, one submission: show that the signature is on its way.
  const form = document.querySelector(".sign-form");
  if (!form) return;
  const button = form.querySelector('button[type="submit"]');
  const label = button ? button.textContent : "";
  form.addEventListener("submit", (event) => {
    if (form.dataset.sending) { event.preventDefault(); return; }
    form.dataset.sending = "1";
    if (button) { button.setAttribute("aria-busy", "true"); button.textContent = "Signing…"; }
  });
  // Coming back with the Back button restores the page from cache: make it usable again.
  window.addEventListener("pageshow", () => {
    delete form.dataset.sending;
    if (button) { button.removeAttribute("aria-busy"); button.textContent = label; }
  });
})();
