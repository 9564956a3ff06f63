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
    deepLinking: true,
    tryItOutEnabled: false,
    persistAuthorization: false,
    withCredentials: false,
    validatorUrl: null
  });
}());
