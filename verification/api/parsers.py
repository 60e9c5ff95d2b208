"""Request parsing with a hard limit on the body's size."""

import io

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from .exceptions import PayloadTooLarge

MAX_BODY_BYTES = 16 * 1024


class LimitedJSONParser(JSONParser):
    """JSON bodies up to 16 KiB; larger ones get 413 before they are parsed."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            raise PayloadTooLarge(f"The request body is over {MAX_BODY_BYTES // 1024} KiB.")
        body = stream.read(MAX_BODY_BYTES + 1) if stream is not None else b""
        if len(body) > MAX_BODY_BYTES:
            raise PayloadTooLarge(f"The request body is over {MAX_BODY_BYTES // 1024} KiB.")
        try:
            return super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError:  # deeply nested JSON; DRF catches only ValueError
            raise ParseError("JSON parse error - nested too deeply.") from None
