// Progressive enhancement for the thank-you page. Without JS the link sits in a read-only
// field anyone can select and copy; with JS a "Copy link" button appears next to it.
document.querySelectorAll("[data-copy]").forEach((button) => {
  const field = button.parentElement.querySelector(".copy-field");
  const label = button.querySelector("span") || button;
  button.hidden = false;
  if (field) field.addEventListener("focus", () => field.select());
  button.addEventListener("click", async () => {
    const url = button.getAttribute("data-copy");
    try {
      await navigator.clipboard.writeText(url);
    } catch (e) {
      if (field) { field.select(); document.execCommand("copy"); }
    }
    label.textContent = "Copied";
    button.setAttribute("aria-live", "polite");
    setTimeout(() => { label.textContent = "Copy link"; }, 2500);
  });
});
