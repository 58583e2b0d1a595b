// Progressive enhancement for copy-paste code (the petition editor's embed snippet).
// Without JS the code sits in a read-only field anyone can select and copy; with JS a
// button appears that copies it in one press.
document.querySelectorAll("[data-copy-from]").forEach((button) => {
  const field = document.getElementById(button.getAttribute("data-copy-from"));
  if (!field) return;
  const label = button.querySelector("span") || button;
  const original = label.textContent;
  button.hidden = false;
  field.addEventListener("focus", () => field.select());
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(field.value);
    } catch (e) {
      field.select();
      document.execCommand("copy");
    }
    label.textContent = button.getAttribute("data-copied") || "Copied";
    button.setAttribute("aria-live", "polite");
    setTimeout(() => { label.textContent = original; }, 2500);
  });
});
