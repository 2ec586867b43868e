//! The OpenAPI 3.1 document of `/api/v1`, written out by hand as JSON (see
//! docs/decisions/0007-api.md for why not generated). The integration test `api::openapi_*`
//! fetches it and validates the real responses of every operation against it, and CI's
//! schemathesis run fuzzes the API from it, so it cannot drift from the handlers unnoticed.

use super::{position_names, state_names, MAX_LIMIT, VERDICTS};
use axum::Json;
use serde_json::{json, Value};

/// GET /api/v1/openapi.json
pub(crate) async fn document() -> Json<Value> {
    Json(spec())
}

fn id_param(name: &str, inside: &str, description: &str) -> Value {
    json!({
        "name": name, "in": inside, "required": inside == "path", "description": description,
        "schema": { "type": "integer", "format": "int64", "minimum": 1, "maximum": i64::MAX },
    })
}

fn enum_param(name: &str, description: &str, values: &[&str]) -> Value {
    json!({
        "name": name, "in": "query", "required": false, "description": description,
        "schema": { "type": "string", "enum": values },
    })
}

fn paging() -> Vec<Value> {
    vec![
        json!({
            "name": "limit", "in": "query", "required": false,
            "description": format!("Rows per page, 1 to {MAX_LIMIT} (default 50)."),
            "schema": { "type": "integer", "minimum": 1, "maximum": MAX_LIMIT },
        }),
        json!({
            "name": "cursor", "in": "query", "required": false,
            "description": "The `next_cursor` of the previous page, as it was given (opaque).",
            "schema": { "type": "string" },
        }),
    ]
}

fn problem(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } },
    })
}

/// The responses every operation can give besides success.
fn errors(with_404: bool) -> Vec<(&'static str, Value)> {
    let mut e = vec![
        ("400", problem("An invalid filter, limit, cursor or id.")),
        ("401", problem("No token, or an unknown, expired or revoked one.")),
        (
            "403",
            problem("The token lacks the scope, or its owner's roles may not see this."),
        ),
        (
            "429",
            problem("The token's rate limit is spent; see Retry-After."),
        ),
    ];
    if with_404 {
        e.push(("404", problem("No such object (or not one the owner may see).")));
    }
    e
}

fn operation(
    id: &str,
    summary: &str,
    scope: &str,
    parameters: Vec<Value>,
    schema: &str,
    with_404: bool,
) -> Value {
    let mut responses = serde_json::Map::new();
    responses.insert(
        "200".into(),
        json!({
            "description": "OK",
            "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } },
        }),
    );
    for (code, body) in errors(with_404) {
        responses.insert(code.into(), body);
    }
    json!({
        "operationId": id,
        "summary": summary,
        "description": format!("Needs the scope `{scope}`."),
        "security": [{ "bearer": [scope] }],
        "parameters": parameters,
        "responses": responses,
    })
}

fn page_of(item: &str) -> Value {
    json!({
        "type": "object",
        "required": ["items", "next_cursor"],
        "additionalProperties": false,
        "properties": {
            "items": { "type": "array", "items": { "$ref": format!("#/components/schemas/{item}") } },
            "next_cursor": {
                "type": ["string", "null"],
                "description": "Pass as `cursor` for the next page; null on the last page.",
            },
        },
    })
}

fn object(required: &[&str], properties: Value) -> Value {
    json!({ "type": "object", "required": required, "additionalProperties": false, "properties": properties })
}

const TIME: &str = "date-time";

/// The document.
pub fn spec() -> Value {
    let positions = position_names();
    let states = state_names();
    let nullable_time = json!({ "type": ["string", "null"], "format": TIME });
    let time = json!({ "type": "string", "format": TIME });
    let id = json!({ "type": "integer", "format": "int64" });
    let mut app_params = vec![
        id_param("round", "query", "Only this round's applications."),
        enum_param("position", "Only this position.", &positions),
        enum_param("state", "Only applications in this state.", &states),
        enum_param("eligibility", "Only this eligibility verdict.", VERDICTS),
    ];
    app_params.extend(paging());
    let mut round_only = vec![id_param("round", "query", "Only this round.")];
    round_only.extend(paging());
    let mut post_params = vec![id_param(
        "organisation",
        "query",
        "Only this organisation's posts.",
    )];
    post_params.extend(paging());
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "jetdesk API",
            "version": "1",
            "description": "Read-only JSON API of jetdesk. Authenticate with a personal API token \
                            (`Authorization: Bearer TOKEN`) made on /account/tokens. Lists are paged \
                            by `cursor`; errors are RFC 9457 problem details.",
        },
        "servers": [{ "url": "/api/v1" }],
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": {
                "Problem": object(&["type", "title", "status", "detail"], json!({
                    "type": { "type": "string", "format": "uri-reference" },
                    "title": { "type": "string" },
                    "status": { "type": "integer", "minimum": 400, "maximum": 599 },
                    "detail": { "type": "string" },
                })),
                "Application": object(
                    &["id", "round_id", "reference", "position", "state", "eligibility", "submitted_at",
                      "updated_at", "applicant"],
                    json!({
                        "id": id, "round_id": id,
                        "reference": { "type": ["string", "null"], "examples": ["JET27-UK-000123"] },
                        "position": { "type": "string", "enum": positions },
                        "state": { "type": "string", "enum": states },
                        "eligibility": { "type": ["string", "null"], "enum": [VERDICTS[0], VERDICTS[1], VERDICTS[2], null] },
                        "submitted_at": nullable_time, "updated_at": time,
                        "applicant": object(&["name", "email"], json!({
                            "name": { "type": "string" }, "email": { "type": "string" },
                        })),
                    }),
                ),
                "ApplicationPage": page_of("Application"),
                "Outcome": object(
                    &["application_id", "round_id", "reference", "position", "outcome", "alternate_rank",
                      "reasons", "decided_at", "published_at"],
                    json!({
                        "application_id": id, "round_id": id,
                        "reference": { "type": ["string", "null"] },
                        "position": { "type": "string", "enum": positions },
                        "outcome": { "type": "string", "enum": ["shortlisted", "alternate", "unsuccessful"] },
                        "alternate_rank": { "type": ["integer", "null"] },
                        "reasons": { "type": "array", "items": { "type": "string" } },
                        "decided_at": time, "published_at": nullable_time,
                    }),
                ),
                "OutcomePage": page_of("Outcome"),
                "Placement": object(
                    &["id", "round_id", "application_id", "reference", "state", "post_id", "organisation_id",
                      "organisation_name", "position", "offered_at", "deadline_at", "answered_at"],
                    json!({
                        "id": id, "round_id": id, "application_id": id,
                        "reference": { "type": ["string", "null"] },
                        "state": { "type": "string", "enum": states },
                        "post_id": id, "organisation_id": id,
                        "organisation_name": { "type": "string" },
                        "position": { "type": "string" },
                        "offered_at": time, "deadline_at": time, "answered_at": nullable_time,
                    }),
                ),
                "PlacementPage": page_of("Placement"),
                "Organisation": object(
                    &["id", "name_en", "name_ja", "prefecture", "setting", "kind", "region", "area"],
                    json!({
                        "id": id,
                        "name_en": { "type": "string" }, "name_ja": { "type": "string" },
                        "prefecture": { "type": "string" }, "setting": { "type": "string" },
                        "kind": { "type": "string" }, "region": { "type": "string" }, "area": { "type": "string" },
                    }),
                ),
                "OrganisationPage": page_of("Organisation"),
                "Post": object(
                    &["id", "organisation_id", "position", "places", "school_levels", "min_jlpt", "driving_licence"],
                    json!({
                        "id": id, "organisation_id": id,
                        "position": { "type": "string" },
                        "places": { "type": "integer", "minimum": 1 },
                        "school_levels": { "type": "array", "items": { "type": "string" } },
                        "min_jlpt": { "type": ["string", "null"] },
                        "driving_licence": { "type": "boolean" },
                    }),
                ),
                "PostPage": page_of("Post"),
            },
        },
        "paths": {
            "/applications": { "get": operation("listApplications", "Applications, filtered",
                "applications:read", app_params, "ApplicationPage", false) },
            "/applications/{id}": { "get": operation("getApplication", "One application",
                "applications:read", vec![id_param("id", "path", "The application's id.")], "Application", true) },
            "/outcomes": { "get": operation("listOutcomes", "Published outcomes (none before the results are published)", "outcomes:read",
                round_only.clone(), "OutcomePage", false) },
            "/placements": { "get": operation("listPlacements", "Placement offers", "placements:read",
                round_only, "PlacementPage", false) },
            "/organisations": { "get": operation("listOrganisations", "Contracting organisations",
                "organisations:read", paging(), "OrganisationPage", false) },
            "/organisations/{id}": { "get": operation("getOrganisation", "One contracting organisation",
                "organisations:read", vec![id_param("id", "path", "The organisation's id.")], "Organisation", true) },
            "/posts": { "get": operation("listPosts", "Posts at contracting organisations",
                "organisations:read", post_params, "PostPage", false) },
        },
    })
}
