//! Administration of users and roles.

use jetdesk_domain::Role;
use jetdesk_testkit::{csrf_from, TestApp};

on_both!(
    an_admin_finds_a_user_and_changes_their_roles,
    |app: TestApp| async move {
        let admin = app.create_user("root@example.org", &[Role::Admin]).await;
        let target = app
            .create_user("kenji.sato@example.org", &[Role::Applicant])
            .await;
        for i in 0..30 {
            app.create_user(&format!("filler{i}@example.org"), &[Role::Applicant])
                .await;
        }
        let (client, _) = app.session_for(Some(admin)).await;
        let list = client
            .get(app.at("/admin/users?q=KENJI"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(list.contains("kenji.sato@example.org") && list.contains("1 user"));
        assert!(!list.contains("filler1@example.org"));
        let page2 = client
            .get(app.at("/admin/users?page=2"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page2.contains("2 / 2"));

        let page = client
            .get(app.at(&format!("/admin/users/{target}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = csrf_from(&page);
        let res = client
            .post(app.at(&format!("/admin/users/{target}/roles")))
            .form(&[
                ("csrf", csrf.as_str()),
                ("role", "reviewer"),
                ("role", "interviewer"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        let roles = app.store.roles(target).await.unwrap();
        assert_eq!(
            roles.into_iter().collect::<Vec<_>>(),
            vec![Role::Reviewer, Role::Interviewer]
        );
        let page = client
            .get(app.at(&format!("/admin/users/{target}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("user.roles")
                && page.contains("applicant")
                && page.contains("reviewer,interviewer")
        );

        let res = client
            .post(app.at(&format!("/admin/users/{target}/roles")))
            .form(&[("csrf", csrf.as_str()), ("role", "emperor")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);
        let res = client.get(app.at("/admin/users/999999")).send().await.unwrap();
        assert_eq!(res.status(), 404);
    }
);

on_both!(
    an_admin_cannot_remove_their_own_admin_role,
    |app: TestApp| async move {
        let admin = app.create_user("solo@example.org", &[Role::Admin]).await;
        let (client, csrf) = app.session_for(Some(admin)).await;
        let res = client
            .post(app.at(&format!("/admin/users/{admin}/roles")))
            .form(&[("csrf", csrf.as_str()), ("role", "coordinator")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422);
        assert!(res
            .text()
            .await
            .unwrap()
            .contains("cannot remove your own admin role"));
        assert!(app.store.roles(admin).await.unwrap().contains(&Role::Admin));
    }
);
