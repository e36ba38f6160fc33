//! Where every route is declared, one module per area, and the one function
//! that assembles them into the router.
//!
//! To add an area (search, recs, forecast, ...): write `routes/<area>.rs` with
//! `pub(crate) fn area() -> Area`, declare the module below and add one line to
//! `crate::areas` (pages register theirs from `web`, which depends on this
//! module and never the reverse). Each route is registered with who may call it ([`Access`]) and
//! its OpenAPI operation ([`Op`]); HTML pages use [`Area::page`] and stay out
//! of the OpenAPI document. The router, the auth layers and `/openapi.json`
//! are all derived from the list, so they cannot drift apart.

pub(crate) mod care;
pub(crate) mod catalog;
pub(crate) mod decisions;
pub(crate) mod events;
pub(crate) mod experiments;
pub(crate) mod forecast;
pub(crate) mod imports;
pub(crate) mod paging;
pub(crate) mod recs;
pub(crate) mod risk;
pub(crate) mod scorecard;
pub(crate) mod search;
pub(crate) mod support;
pub(crate) mod system;

use axum::handler::Handler;
use axum::http::Method;
use axum::middleware::from_fn_with_state;
use axum::routing::{self, MethodRouter};
use serde_json::Value;

pub use super::auth::Access;
pub use super::openapi::{schema_ref, Op};
use super::state::AppState;

/// A group of routes with their access levels and OpenAPI operations.
pub struct Area {
    pub(crate) tag: &'static str,
    pub(crate) description: &'static str,
    pub(crate) routes: Vec<Route>,
    pub(crate) schemas: Vec<(&'static str, Value)>,
}

pub(crate) struct Route {
    pub(crate) path: &'static str,
    pub(crate) method: Method,
    pub(crate) access: Access,
    pub(crate) handler: MethodRouter<AppState>,
    /// `None` for HTML pages, which the OpenAPI document leaves out.
    pub(crate) op: Option<Op>,
}

impl Area {
    pub fn new(tag: &'static str, description: &'static str) -> Area {
        Area { tag, description, routes: Vec::new(), schemas: Vec::new() }
    }

    pub fn get<H, T>(self, path: &'static str, access: Access, handler: H, op: Op) -> Area
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.route(path, Method::GET, access, routing::get(handler), op)
    }

    pub fn post<H, T>(self, path: &'static str, access: Access, handler: H, op: Op) -> Area
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.route(path, Method::POST, access, routing::post(handler), op)
    }

    pub fn put<H, T>(self, path: &'static str, access: Access, handler: H, op: Op) -> Area
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.route(path, Method::PUT, access, routing::put(handler), op)
    }

    pub fn delete<H, T>(self, path: &'static str, access: Access, handler: H, op: Op) -> Area
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.route(path, Method::DELETE, access, routing::delete(handler), op)
    }

    /// The general form: `handler` answers `method` on `path` (it may carry
    /// its own layers, such as a larger body limit).
    pub fn route(
        mut self,
        path: &'static str,
        method: Method,
        access: Access,
        handler: MethodRouter<AppState>,
        op: Op,
    ) -> Area {
        self.routes.push(Route { path, method, access, handler, op: Some(op) });
        self
    }

    /// An HTML page (GET), not part of the OpenAPI document. Pages under
    /// `/admin` should use `Access::AdminPage`, storefront pages `Access::Open`.
    pub fn page<H, T>(mut self, path: &'static str, access: Access, handler: H) -> Area
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.routes.push(Route {
            path,
            method: Method::GET,
            access,
            handler: routing::get(handler),
            op: None,
        });
        self
    }

    /// A page that posts a form (POST), also left out of the OpenAPI document.
    pub fn page_post<H, T>(mut self, path: &'static str, access: Access, handler: H) -> Area
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.routes.push(Route {
            path,
            method: Method::POST,
            access,
            handler: routing::post(handler),
            op: None,
        });
        self
    }

    /// A named schema under `components.schemas`, for `schema_ref(name)`.
    pub fn schema(mut self, name: &'static str, schema: Value) -> Area {
        self.schemas.push((name, schema));
        self
    }
}

/// The routes of `areas`, each wrapped in the auth layer its access asks for.
pub(crate) fn router(state: &AppState, areas: Vec<Area>) -> axum::Router<AppState> {
    let mut router = axum::Router::new();
    for area in areas {
        for route in area.routes {
            let handler = match route.access {
                Access::Open => route.handler,
                Access::Public => {
                    route.handler.route_layer(from_fn_with_state(state.clone(), super::auth::require_public))
                }
                Access::Admin => {
                    route.handler.route_layer(from_fn_with_state(state.clone(), super::auth::require_admin))
                }
                Access::AdminPage => route
                    .handler
                    .route_layer(from_fn_with_state(state.clone(), super::auth::require_admin_page)),
            };
            router = router.route(route.path, handler);
        }
    }
    router
}
