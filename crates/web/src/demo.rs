//! Demo data: an account for every role, all with one password, so a new user can see what each
//! role sees. Loaded only into an empty database (by `serve --demo` or `jetdesk demo`).

use crate::security::hash_password;
use jetdesk_domain::Role;
use jetdesk_store::Store;

/// A demo account as printed at start.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    /// Its e-mail address (the sign-in name).
    pub email: String,
    /// What it is for.
    pub roles: Vec<Role>,
}

/// The demo accounts: (e-mail, name, roles).
const ACCOUNTS: &[(&str, &str, &[Role])] = &[
    ("admin@jetdesk.example", "Alex Admin", &[Role::Admin]),
    (
        "coordinator@jetdesk.example",
        "Chris Coordinator",
        &[Role::Coordinator],
    ),
    ("reviewer@jetdesk.example", "Robin Reviewer", &[Role::Reviewer]),
    (
        "interviewer@jetdesk.example",
        "Imogen Interviewer",
        &[Role::Interviewer],
    ),
    ("host@jetdesk.example", "Hana Host (Sapporo BOE)", &[Role::Host]),
    ("applicant@jetdesk.example", "Ann Applicant", &[Role::Applicant]),
    ("applicant2@jetdesk.example", "Ben Applicant", &[Role::Applicant]),
];

/// Creates the demo accounts with `password`; returns them for the start-up banner.
pub async fn load(store: &Store, password: &str) -> anyhow::Result<Vec<DemoAccount>> {
    let phc = {
        let password = password.to_string();
        tokio::task::spawn_blocking(move || hash_password(&password)).await??
    };
    let mut created = Vec::new();
    for (email, name, roles) in ACCOUNTS {
        store.create_user(email, name, &phc, roles, true).await?;
        created.push(DemoAccount {
            email: (*email).to_string(),
            roles: roles.to_vec(),
        });
    }
    Ok(created)
}
