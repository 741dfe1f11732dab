"""The OpenAPI schema says what the API answers when something goes wrong, as it says what it answers
when all is well: every failure has one body (api/errors.py), documented once and referred to by each
operation for the statuses it can give."""

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "description": "The body of every API failure.",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string", "description": "Machine-readable, e.g. `invalid`, `not_found`."},
                "message": {"type": "string", "description": "What went wrong, in words for a person."},
                "fields": {
                    "type": "object",
                    "description": "Messages for each field that was not right; `{}` when none.",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            },
            "required": ["code", "message", "fields"],
        }
    },
    "required": ["error"],
}

DESCRIPTIONS = {
    "400": "The request is not valid: `fields` says which parts and why.",
    "401": "Not signed in, or the token is not valid.",
    "403": "Signed in, but this is not yours to see or change.",
    "404": "Nothing here (or not visible to you).",
    "409": "Valid, but it conflicts with what is there already: `fields` says which part.",
    "415": "The body is not JSON (`Content-Type: application/json`).",
    "429": "Too many requests: wait and try again.",
}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the error body as a component, and a response for each error
    status an operation can give (400 when it takes input, 401/403 unless anyone may call it, 404 when
    its path names something or it has pages, 415 when it takes a body, 429 always)."""
    components = result.setdefault("components", {})
    components.setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    responses = components.setdefault("responses", {})
    for status, description in DESCRIPTIONS.items():
        responses[f"Error{status}"] = {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            statuses = ["429"]
            if "requestBody" in operation or operation.get("parameters"):
                statuses.append("400")
            if {} not in operation.get("security", []):  # {} in security: anyone may call it
                statuses += ["401", "403"]
            elif method not in ("get", "head"):
                statuses.append("403")
            if "requestBody" in operation:
                statuses.append("415")
            parameters = {parameter.get("name") for parameter in operation.get("parameters", [])}
            if "{" in path or "page" in parameters:  # a page past the last one is not there either
                statuses.append("404")
            for status in statuses:
                operation["responses"].setdefault(status, {"$ref": f"#/components/responses/Error{status}"})
            for status, response in operation["responses"].items():
                # An error status a view declares itself (with a description only) gets the error body too.
                declared = isinstance(response, dict) and not {"content", "$ref"} & set(response)
                if status in DESCRIPTIONS and declared:
                    operation["responses"][status] = {"$ref": f"#/components/responses/Error{status}"}
    return result
