"""Request and response schemas of the API (marshmallow), one module per resource. They are
the single definition: flask-smorest validates requests with them and the OpenAPI document
is generated from them."""
