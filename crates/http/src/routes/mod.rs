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
pub(crate) mod merch;
pub(crate) mod paging;
pub(crate) mod recs;
pub(crate) mod risk;
pub(crate) mod scorecard;
pub(crate) mod search;
pub(crate) mod support;
pub(crate) mod system;

use std::collections::{BTreeMap, BTreeSet};

use axum::extract::State;
use axum::handler::Handler;
use axum::http::{HeaderMap, Method};
use axum::middleware::from_fn_with_state;
use axum::routing::{self, MethodRouter};
use serde_json::Value;

pub use super::auth::Access;
use super::auth::{self, Gate};
use super::guard;
pub use super::openapi::{schema_ref, Op};
use super::state::AppState;
pub use store::Scope;

/// A group of routes with their access levels and OpenAPI operations.
pub struct Area {
    pub(crate) tag: &'static str,
    pub(crate) description: &'static str,
    /// The scope a key needs for this area's `Admin` routes and pages
    /// (`admin`, which every admin-area scope is part of, unless set).
    pub(crate) admin_scope: Scope,
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
        Area { tag, description, admin_scope: Scope::Admin, routes: Vec::new(), schemas: Vec::new() }
    }

    /// The admin-area scope (`admin:support`, ...) that opens this area's
    /// `Admin` routes and pages to a key without the full `admin` scope.
    pub fn admin_scope(mut self, scope: Scope) -> Area {
        self.admin_scope = scope;
        self
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

impl Route {
    /// The scope a key needs for this route (`None` for open routes).
    pub(crate) fn scope(&self, area_scope: Scope) -> Option<Scope> {
        match self.access {
            Access::Open => None,
            Access::Public(scope) => Some(scope),
            Access::Admin | Access::AdminPage => Some(area_scope),
        }
    }
}

/// Open routes that are not rate-limited: the health check and the files
/// every page loads.
fn unlimited(path: &str) -> bool {
    path == "/health" || path.starts_with("/assets/") || path == "/favicon.svg"
}

/// The routes of `areas`, each wrapped in the auth layer its access asks for
/// (open routes in the address rate limit instead); public routes also answer
/// CORS preflights and carry CORS headers for the storefront's origins.
pub(crate) fn router(state: &AppState, areas: Vec<Area>) -> axum::Router<AppState> {
    // The public methods of each path, for its preflight.
    let mut public: BTreeMap<&'static str, Vec<Method>> = BTreeMap::new();
    // Every method of each path, for its `Allow` (a path may mix public and admin methods).
    let mut every: BTreeMap<&'static str, Vec<Method>> = BTreeMap::new();
    for area in &areas {
        for route in &area.routes {
            every.entry(route.path).or_default().push(route.method.clone());
            if let Access::Public(_) = route.access {
                public.entry(route.path).or_default().push(route.method.clone());
            }
        }
    }
    // The scope of each back-office section, for the page that tells a key
    // without one where it may go instead.
    let mut sections = Vec::new();
    for (path, label) in super::web::ADMIN_NAV {
        let scope = areas.iter().find_map(|area| {
            area.routes
                .iter()
                .find(|r| r.path == *path && r.method == Method::GET)
                .and_then(|r| r.scope(area.admin_scope))
        });
        if let Some(scope) = scope {
            sections.push((*path, *label, scope));
        }
    }
    let sections = std::sync::Arc::new(sections);
    let mut router = axum::Router::new();
    let mut preflighted = BTreeSet::new();
    for area in areas {
        for route in area.routes {
            let handler = match route.scope(area.admin_scope) {
                None if unlimited(route.path) => route.handler,
                None => route.handler.route_layer(from_fn_with_state(state.clone(), guard::limit_open)),
                Some(scope) => {
                    let gate = Gate {
                        state: state.clone(),
                        access: route.access,
                        scope,
                        sections: sections.clone(),
                    };
                    route.handler.route_layer(from_fn_with_state(gate, auth::require))
                }
            };
            let handler = match (route.access, public.get(route.path)) {
                (Access::Public(_), Some(methods)) => {
                    let handler = if preflighted.insert(route.path) {
                        let cors = guard::method_list(methods);
                        let allow =
                            guard::method_list(every.get(route.path).map(Vec::as_slice).unwrap_or(methods));
                        handler.options(move |State(state): State<AppState>, headers: HeaderMap| {
                            let (allow, cors) = (allow.clone(), cors.clone());
                            async move { guard::preflight(&state, &allow, &cors, &headers) }
                        })
                    } else {
                        handler
                    };
                    handler.route_layer(from_fn_with_state(state.clone(), guard::cors))
                }
                _ => handler,
            };
            router = router.route(route.path, handler);
        }
    }
    router
}
