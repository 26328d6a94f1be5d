//! The web interview at `/`: a page, a script and a style sheet, embedded
//! in the binary (no build step). The page reads `/v1/policies` and asks
//! `/v1/eval` after each answer.
use axum::http::header;
use axum::response::IntoResponse;

/// `GET /`.
pub async fn index() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        include_str!("interview/index.html"),
    )
}

/// `GET /app.js`.
pub async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("interview/app.js"),
    )
}

/// `GET /app.css`.
pub async fn style() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("interview/app.css"),
    )
}
