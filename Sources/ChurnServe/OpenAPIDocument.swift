/// The API description served at `/v1/openapi.json`. The same text is kept
/// in the repository as `docs/openapi.json`; a test checks the two are equal
/// and that every `ServeRoute` is documented (edit both together).
public enum OpenAPIDocument {
    public static let text = #"""
{
  "openapi": "3.0.3",
  "info": {
    "title": "ChurnLab serve API",
    "version": "1.0.0",
    "description": "Scoring, event ingestion and online per-user risk from `churnlab serve`. POST routes, admin routes and per-user reads need `Authorization: Bearer <token>` (the token from --token-file). Errors are {\"error\": {\"status\", \"field\"?, \"message\"}}; a 400 names the offending field (e.g. rows[2].tenure_days)."
  },
  "servers": [{"url": "http://127.0.0.1:8080"}],
  "components": {
    "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    "schemas": {
      "Error": {
        "type": "object", "required": ["error"],
        "properties": {"error": {"type": "object", "required": ["status", "message"],
          "properties": {"status": {"type": "integer"}, "field": {"type": "string"}, "message": {"type": "string"}}}}
      },
      "Reason": {
        "type": "object", "required": ["feature", "contribution"],
        "description": "A feature pushing the score up: its additive contribution (TreeSHAP for trees, coefficient × centred value for logistic regression) on the model's raw scale.",
        "properties": {"feature": {"type": "string"}, "contribution": {"type": "number"}}
      },
      "ScoreRequest": {
        "type": "object", "required": ["rows"], "additionalProperties": false,
        "properties": {
          "rows": {"type": "array", "minItems": 1, "maxItems": 10000,
                   "items": {"type": "object", "description": "Every model feature by name: a number (numeric) or a string (categorical), null for missing. No other fields.",
                             "additionalProperties": {"nullable": true, "oneOf": [{"type": "number"}, {"type": "string"}]}}},
          "reasons": {"type": "boolean", "default": true, "description": "Include the top-3 reasons per row."}
        }
      },
      "ScoreResponse": {
        "type": "object", "required": ["model_version", "results"],
        "properties": {
          "model_version": {"type": "string"},
          "results": {"type": "array", "items": {"type": "object", "required": ["probability", "tier"],
            "properties": {"probability": {"type": "number"}, "tier": {"type": "string"},
                           "reasons": {"type": "array", "maxItems": 3, "items": {"$ref": "#/components/schemas/Reason"}}}}}
        }
      },
      "Event": {
        "type": "object", "required": ["user", "type", "time"], "additionalProperties": false,
        "properties": {
          "user": {"type": "string", "minLength": 1, "maxLength": 256},
          "type": {"type": "string", "minLength": 1, "maxLength": 256},
          "time": {"type": "string", "description": "UTC time: 2024-06-01, 2024-06-01T12:00:00Z or 2024-06-01 12:00:00.123456"},
          "amount": {"type": "number", "nullable": true}
        }
      },
      "EventsRequest": {
        "type": "object", "required": ["events"], "additionalProperties": false,
        "properties": {"events": {"type": "array", "minItems": 1, "maxItems": 100000, "items": {"$ref": "#/components/schemas/Event"}}}
      },
      "Term": {
        "type": "object", "required": ["user", "start", "plan", "price"], "additionalProperties": false,
        "description": "One paid subscription term (a renewal is a new term), as a cl.events.subscriptions table row. A term with the user and start of a stored one replaces it (how an end date or a cancellation is recorded).",
        "properties": {
          "user": {"type": "string", "minLength": 1, "maxLength": 256},
          "start": {"type": "string", "description": "UTC time the term starts (inclusive)"},
          "end": {"type": "string", "nullable": true, "description": "UTC time the term ends (exclusive); null or absent: open-ended"},
          "plan": {"type": "string", "minLength": 1, "maxLength": 256},
          "price": {"type": "number"},
          "price_period": {"type": "string", "enum": ["term", "month"], "default": "term", "description": "term: the price of the whole term (MRR over its calendar months); month: a monthly rate (MRR = price)"},
          "auto_renew": {"type": "boolean", "nullable": true},
          "discount": {"type": "number", "nullable": true}
        }
      },
      "SubscriptionsRequest": {
        "type": "object", "required": ["subscriptions"], "additionalProperties": false,
        "properties": {"subscriptions": {"type": "array", "minItems": 1, "maxItems": 100000, "items": {"$ref": "#/components/schemas/Term"}}}
      },
      "RiskResponse": {
        "type": "object", "required": ["user", "as_of", "model_version", "probability", "tier", "reasons", "features"],
        "properties": {
          "user": {"type": "string"}, "as_of": {"type": "string"}, "model_version": {"type": "string"},
          "probability": {"type": "number"}, "tier": {"type": "string"},
          "reasons": {"type": "array", "items": {"$ref": "#/components/schemas/Reason"}},
          "features": {"type": "object", "description": "The user's features as of now, named as cl.features.build names them (null = missing); with subscription terms, plan is a string.",
                       "additionalProperties": {"nullable": true, "oneOf": [{"type": "number"}, {"type": "string"}]}}
        }
      }
    },
    "responses": {
      "BadRequest": {"description": "Malformed or invalid request; the error names the field.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Unauthorized": {"description": "Missing or wrong bearer token.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Forbidden": {"description": "The server was started without --token-file: authenticated routes are disabled.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "TooLarge": {"description": "Body larger than the server's limit.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "UnsupportedMediaType": {"description": "Content-Type is not application/json.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    }
  },
  "paths": {
    "/": {
      "get": {"summary": "Dashboard: model card, current risk distribution and tiers, users most at risk with reasons, rule runs and decisions from --ledger (HTML with inline SVG, no JavaScript). Without a token on a loopback-bound server; bound elsewhere it needs the bearer token.",
              "responses": {"200": {"description": "The page", "content": {"text/html": {"schema": {"type": "string"}}}}}}
    },
    "/v1/scores": {
      "get": {"summary": "Every user of the online state scored now, as CSV: user_id, probability, tier, then the online features (empty = null). The users table of a rule run: churnlab rules run RULES --users scores.csv --ledger L, so decisions go through the exactly-once ledger.",
              "security": [{"bearer": []}],
              "responses": {"200": {"description": "CSV with a header row", "content": {"text/csv": {"schema": {"type": "string"}}}},
                            "401": {"description": "Missing or wrong token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                            "404": {"description": "The state holds no user yet", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                            "422": {"description": "The model needs features the online state does not compute", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}
    },
    "/v1/health": {
      "get": {"summary": "Liveness and what is loaded", "responses": {"200": {"description": "Serving",
        "content": {"application/json": {"schema": {"type": "object", "properties": {
          "status": {"type": "string"}, "model_version": {"type": "string"}, "model_kind": {"type": "string"},
          "features": {"type": "integer"}, "state_users": {"type": "integer"}, "state_events": {"type": "integer"},
          "state_subscriptions": {"type": "integer"}}}}}}}}
    },
    "/metrics": {
      "get": {"summary": "Prometheus metrics: requests by route and status, latency histograms, rows scored, events ingested, model version, state size",
              "responses": {"200": {"description": "Prometheus text format", "content": {"text/plain": {"schema": {"type": "string"}}}}}}
    },
    "/v1/openapi.json": {
      "get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3 document", "content": {"application/json": {"schema": {"type": "object"}}}}}}
    },
    "/v1/score": {
      "post": {"summary": "Score one or many rows of features", "security": [{"bearer": []}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ScoreRequest"}}}},
        "responses": {"200": {"description": "One result per row, in order", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ScoreResponse"}}}},
          "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Forbidden"}, "413": {"$ref": "#/components/responses/TooLarge"},
          "415": {"$ref": "#/components/responses/UnsupportedMediaType"}}}
    },
    "/v1/events": {
      "post": {"summary": "Append events to the online feature state (durable before the response)", "security": [{"bearer": []}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EventsRequest"}}}},
        "responses": {"200": {"description": "Every event accepted (a batch is all or nothing)",
            "content": {"application/json": {"schema": {"type": "object", "properties": {"accepted": {"type": "integer"}}}}}},
          "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Forbidden"}, "413": {"$ref": "#/components/responses/TooLarge"},
          "415": {"$ref": "#/components/responses/UnsupportedMediaType"}}}
    },
    "/v1/subscriptions": {
      "post": {"summary": "Add subscription terms to the online state (durable before the response); from then on the features include the subscription family (subscribed, plan, price, mrr, days_to_renewal, renewals, auto_renew_off and discount when given) and tenure_days counts from the first term start when earlier, as cl.features.build with subscriptions =", "security": [{"bearer": []}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SubscriptionsRequest"}}}},
        "responses": {"200": {"description": "Every term accepted (a batch is all or nothing)",
            "content": {"application/json": {"schema": {"type": "object", "properties": {"accepted": {"type": "integer"}}}}}},
          "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"},
          "403": {"$ref": "#/components/responses/Forbidden"}, "413": {"$ref": "#/components/responses/TooLarge"},
          "415": {"$ref": "#/components/responses/UnsupportedMediaType"}}}
    },
    "/v1/users/{id}/risk": {
      "get": {"summary": "Fresh features from the online state → score → reasons", "security": [{"bearer": []}],
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "The user's risk now", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RiskResponse"}}}},
          "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"description": "No events for this user", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "422": {"description": "The model needs features the online state does not compute", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}
    },
    "/v1/admin/reload": {
      "post": {"summary": "Reload the model file (also on SIGHUP); the old model keeps serving if the new one fails validation", "security": [{"bearer": []}],
        "responses": {"200": {"description": "Reloaded", "content": {"application/json": {"schema": {"type": "object", "properties": {
            "model_version": {"type": "string"}, "model_kind": {"type": "string"}}}}}},
          "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"},
          "422": {"description": "The file failed to load; nothing changed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}
    }
  }
}
"""#
}
