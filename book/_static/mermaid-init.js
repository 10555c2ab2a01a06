// Render every mermaid diagram on the page with the locally served mermaid build.
document.addEventListener("DOMContentLoaded", function () {
  if (typeof mermaid === "undefined") {
    console.error("mermaid.min.js did not load: run `make vendor` and rebuild the book");
    return;
  }
  mermaid.initialize({ startOnLoad: false, theme: "default", securityLevel: "strict" });
  mermaid.run({ querySelector: ".mermaid" });
});
