//! Who may use each route, declared in one place. Every capability's `routes()` returns
//! [`RouteDef`]s; the root router applies each one's [`Access`] as a layer before the handler runs,
//! and [`crate::route_table`] lists them all for the route-by-role test matrix.
//!
//! The same check enforces two-step verification for staff: when `require_staff_mfa` is on, a user
//! holding a role of [`MFA_ROLES`] who has not set it up is sent to `/account/mfa` from every
//! role-gated route, before any handler runs.

use crate::error::AppError;
use crate::session::Ctx;
use crate::AppState;
use axum::extract::Request;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::MethodRouter;
use jetdesk_domain::Role;

/// Who a route admits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Everyone, signed in or not.
    Public,
    /// Any signed-in user, whatever their roles.
    SignedIn,
    /// Signed-in users holding at least one of these roles.
    Roles(&'static [Role]),
    /// A JSON API route: a bearer token with this scope, never a session (see `crate::api`).
    Api(&'static str),
}

impl Access {
    /// Whether a user with `roles` (None: not signed in) is admitted.
    pub fn admits(self, roles: Option<&std::collections::BTreeSet<Role>>) -> bool {
        match (self, roles) {
            (Access::Public, _) => true,
            (Access::Api(_), _) => false,
            (_, None) => false,
            (Access::SignedIn, Some(_)) => true,
            (Access::Roles(allowed), Some(held)) => allowed.iter().any(|r| held.contains(r)),
        }
    }
}

/// Roles that must have two-step verification when `require_staff_mfa` is on: every role but
/// applicant. Each of them reads other people's personal data — reviewers and interviewers read
/// whole applications (health declarations, references), hosts see the participants placed with
/// them and may hold API tokens, coordinators and admins everything —, while an applicant's account
/// holds only their own.
pub const MFA_ROLES: &[Role] = &[
    Role::Reviewer,
    Role::Interviewer,
    Role::Coordinator,
    Role::Host,
    Role::Admin,
];

/// Where a staff user without two-step verification is sent.
pub const MFA_ENROL_PATH: &str = "/account/mfa?required=1";

/// One route: method, path pattern, who it admits, and its handler.
pub struct RouteDef {
    /// The HTTP method.
    pub method: Method,
    /// The axum path pattern, such as `/admin/users/{id}`.
    pub path: &'static str,
    /// Who it admits.
    pub access: Access,
    pub(crate) handler: MethodRouter<AppState>,
}

impl RouteDef {
    /// A GET route.
    pub fn get(path: &'static str, access: Access, handler: MethodRouter<AppState>) -> RouteDef {
        RouteDef {
            method: Method::GET,
            path,
            access,
            handler,
        }
    }

    /// A POST route.
    pub fn post(path: &'static str, access: Access, handler: MethodRouter<AppState>) -> RouteDef {
        RouteDef {
            method: Method::POST,
            path,
            access,
            handler,
        }
    }

    /// The handler wrapped in its access check.
    pub(crate) fn into_checked(self) -> (&'static str, MethodRouter<AppState>) {
        let access = self.access;
        let checked = self
            .handler
            .route_layer(axum::middleware::from_fn(move |req: Request, next: Next| {
                check(access, req, next)
            }));
        (self.path, checked)
    }
}

async fn check(access: Access, request: Request, next: Next) -> Response {
    if let Access::Api(scope) = access {
        return crate::api::check(scope, request, next).await;
    }
    let Some(ctx) = request.extensions().get::<Ctx>().cloned() else {
        return AppError::Internal(anyhow::anyhow!("session layer missing")).into_response();
    };
    if access.admits(ctx.user().map(|u| &u.roles)) {
        if let (Access::Roles(_), Some(user)) = (access, ctx.user()) {
            let state = ctx.app_state();
            if state.config.staff_mfa_required() && user.roles.iter().any(|r| MFA_ROLES.contains(r)) {
                match state.store.mfa_enabled(user.id).await {
                    Ok(true) => {}
                    Ok(false) => return Redirect::to(MFA_ENROL_PATH).into_response(),
                    Err(e) => return AppError::from(e).into_response(),
                }
            }
        }
        return next.run(request).await;
    }
    if ctx.user().is_none() {
        let back = if request.method() == Method::GET {
            ctx.path().to_string()
        } else {
            "/".into()
        };
        return AppError::SignInRequired(back).into_response();
    }
    AppError::Forbidden.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn role_routes_admit_only_their_roles() {
        let access = Access::Roles(&[Role::Coordinator, Role::Admin]);
        let held = |r: &[Role]| r.iter().copied().collect::<BTreeSet<_>>();
        assert!(access.admits(Some(&held(&[Role::Admin]))));
        assert!(!access.admits(Some(&held(&[Role::Applicant, Role::Host]))));
        assert!(!access.admits(None));
        assert!(Access::SignedIn.admits(Some(&held(&[]))));
        assert!(Access::Public.admits(None));
    }
}
