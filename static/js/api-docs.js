// Starts Swagger UI on the API documentation page (a file, not inline: the CSP allows no
// inline script). The page works without it: it links the OpenAPI document.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    domNode: root,
    deepLinking: false,  // its links inside the summary buttons nest interactive controls
    tryItOutEnabled: false,
    persistAuthorization: false,
    withCredentials: false,
    defaultModelsExpandDepth: -1,  // schemas appear with their operations
    validatorUrl: null
  });
  // Swagger UI draws its own <main>; the page has one already, so it becomes a named region.
  var label = root.getAttribute("data-operations-label") || "Operations";
  function demote() {
    root.querySelectorAll("main").forEach(function (main) {
      if (main.getAttribute("role") !== "region") {
        main.setAttribute("role", "region");
        main.setAttribute("aria-label", label);
      }
    });
  }
  new MutationObserver(demote).observe(root, {childList: true, subtree: true});
  demote();
}());
