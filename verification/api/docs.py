"""The OpenAPI document and Swagger UI of the API alone, the same in any site.

A site that installs the app may serve APIs of its own, with DRF's default schema class or
none, and drf-spectacular settings of its own: the document lists only this API's views
(ApiView), under this app's settings (openapi_settings), and Swagger UI comes from the
sidecar's static files, never a CDN, whatever the site's SPECTACULAR_SETTINGS say."""

from drf_spectacular.generators import EndpointEnumerator, SchemaGenerator
from drf_spectacular.settings import patched_settings
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from .openapi_settings import SCHEMA_SETTINGS
from .views import ApiView

# drf-spectacular takes no SERVE_* settings per view: their dedicated attributes below stand in.
PATCHED = {name: value for name, value in SCHEMA_SETTINGS.items() if not name.startswith("SERVE_")}


class ApiEndpoints(EndpointEnumerator):
    def should_include_endpoint(self, path, callback):
        view = getattr(callback, "cls", None)
        return isinstance(view, type) and issubclass(view, ApiView) and super().should_include_endpoint(path, callback)


class ApiSchemaGenerator(SchemaGenerator):
    endpoint_inspector_cls = ApiEndpoints


class ApiSchema(SpectacularAPIView):
    generator_class = ApiSchemaGenerator
    custom_settings = PATCHED
    authentication_classes = []
    permission_classes = [AllowAny]
    schema = None  # not a path of the document


class ApiDocs(SpectacularSwaggerSplitView):
    authentication_classes = []
    permission_classes = [AllowAny]
    schema = None

    def get(self, request, *args, **kwargs):
        with patched_settings(PATCHED):
            return super().get(request, *args, **kwargs)
