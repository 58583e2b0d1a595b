// Progressive enhancement: the "Copy link" button copies; without JS the field is selectable.
document.querySelectorAll("[data-copy]").forEach((button) => {
  button.addEventListener("click", async () => {
    const url = button.getAttribute("data-copy");
    try {
      await navigator.clipboard.writeText(url);
    } catch (e) {
      const field = button.parentElement.querySelector(".copy-field");
      if (field) { field.select(); document.execCommand("copy"); }
    }
    button.textContent = "Link copied";
  });
});
