//! Zou's role rules on the task routes, checked with an admin, a manager,
//! a supervisor, an artist and a client (user_service.check_*).

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};

const FORBIDDEN: &str = "You don't have the permission to access the requested resource. It is either read-protected or not readable by the server.";

fn forbidden_body() -> Value {
    json!({"error": true, "message": FORBIDDEN})
}

/// A project with the whole cast in its team, a shot and an Animation task
/// assigned to the artist. Returns (cast, project id, task id).
async fn setup(app: &TestApp) -> (Cast, String, String) {
    let cast = app.cast().await;
    let project = str_of(&app.create_project("Roles", "tvshow").await["id"]).to_owned();
    for c in [&cast.manager, &cast.supervisor, &cast.artist, &cast.client] {
        app.add_to_team(&project, &c.id).await;
    }
    let admin = cast.admin.token();
    let episodes = app
        .get_ok(&format!("/api/data/projects/{project}/episodes"), admin)
        .await;
    let episode = str_of(&array_of(&episodes)[0]["id"]).to_owned();
    let seq = app
        .post_created(
            &format!("/api/data/projects/{project}/sequences"),
            admin,
            json!({"name": "SQ01", "episode_id": episode}),
        )
        .await;
    let shot = app
        .post_created(
            &format!("/api/data/projects/{project}/shots"),
            admin,
            json!({"name": "SH01", "sequence_id": seq["id"]}),
        )
        .await;
    let types = app
        .get_ok(
            &with_query(
                "/api/data/task-types",
                &[("name", "Animation"), ("for_entity", "Shot")],
            ),
            admin,
        )
        .await;
    let task = app
        .post_created(
            "/api/data/tasks",
            admin,
            json!({"project_id": project, "entity_id": shot["id"],
                   "task_type_id": array_of(&types)[0]["id"],
                   "assignees": [cast.artist.id]}),
        )
        .await;
    (cast, project, str_of(&task["id"]).to_owned())
}

#[tokio::test]
async fn only_managers_and_their_supervisors_update_tasks() {
    each_backend(|app| async move {
        let (cast, _, task) = setup(&app).await;
        let path = format!("/api/data/tasks/{task}");
        for (who, expected) in [
            (&cast.admin, StatusCode::OK),
            (&cast.manager, StatusCode::OK),
            // A supervisor in no department supervises them all (Zou).
            (&cast.supervisor, StatusCode::OK),
            (&cast.artist, StatusCode::FORBIDDEN),
            (&cast.client, StatusCode::FORBIDDEN),
        ] {
            let (status, body) = app.put(&path, who.token(), json!({"priority": 2})).await;
            assert_eq!(status, expected, "{} {body}", who.role);
            if expected == StatusCode::FORBIDDEN {
                assert_eq!(body, forbidden_body());
            }
        }
        // In another department than the task type's, he does not.
        let admin = cast.admin.token();
        let modeling = app
            .get_ok("/api/data/departments?name=Modeling", admin)
            .await;
        let modeling = str_of(&array_of(&modeling)[0]["id"]).to_owned();
        let (status, _) = app
            .put(
                &format!("/api/data/persons/{}", cast.supervisor.id),
                admin,
                json!({"departments": [modeling]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = app
            .put(&path, cast.supervisor.token(), json!({"priority": 1}))
            .await;
        assert_eq!((status, body), (StatusCode::FORBIDDEN, forbidden_body()));
        // In the task type's department, the supervisor manages it.
        let deps = app
            .get_ok("/api/data/departments?name=Animation", cast.admin.token())
            .await;
        let dep = str_of(&array_of(&deps)[0]["id"]).to_owned();
        let (status, _) = app
            .put(
                &format!("/api/data/persons/{}", cast.supervisor.id),
                admin,
                json!({"departments": [dep]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = app
            .put(&path, cast.supervisor.token(), json!({"priority": 1}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // ...but only its planning (Zou's check_supervisor_task_access).
        let (status, body) = app
            .put(&path, cast.supervisor.token(), json!({"name": "renamed"}))
            .await;
        assert_eq!((status, body), (StatusCode::FORBIDDEN, forbidden_body()));
    })
    .await;
}

#[tokio::test]
async fn assigning_skips_tasks_the_caller_may_not_assign() {
    each_backend(|app| async move {
        let (cast, _, task) = setup(&app).await;
        let path = format!("/api/actions/persons/{}/assign", cast.manager.id);
        for who in [&cast.artist, &cast.client] {
            let (status, body) = app
                .put(&path, who.token(), json!({"task_ids": [task]}))
                .await;
            assert_eq!(status, StatusCode::OK, "{} {body}", who.role);
            assert_eq!(body, json!([]), "{}", who.role);
        }
        let (status, body) = app
            .put(&path, cast.manager.token(), json!({"task_ids": [task]}))
            .await;
        assert_eq!(status, StatusCode::OK);
        let assignees = &array_of(&body)[0]["assignees"];
        assert!(array_of(assignees)
            .iter()
            .any(|a| a == &json!(cast.manager.id)));
    })
    .await;
}

#[tokio::test]
async fn artists_log_time_only_for_themselves_on_their_tasks() {
    each_backend(|app| async move {
        let (cast, _, task) = setup(&app).await;
        let own = format!(
            "/api/actions/tasks/{task}/time-spents/2024-03-04/persons/{}/add",
            cast.artist.id
        );
        let (status, body) = app
            .post(&own, cast.artist.token(), json!({"duration": 30}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let other = format!(
            "/api/actions/tasks/{task}/time-spents/2024-03-04/persons/{}/add",
            cast.manager.id
        );
        let (status, body) = app
            .post(&other, cast.artist.token(), json!({"duration": 30}))
            .await;
        assert_eq!((status, body), (StatusCode::FORBIDDEN, forbidden_body()));
        let client_own = format!(
            "/api/actions/tasks/{task}/time-spents/2024-03-04/persons/{}",
            cast.client.id
        );
        let (status, _) = app
            .post(&client_own, cast.client.token(), json!({"duration": 30}))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // Time goes only to an assignee (Zou's check_time_spent_access),
        // even when a manager logs it: for himself, unassigned, refused.
        let (status, _) = app
            .post(&other, cast.manager.token(), json!({"duration": 15}))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = app
            .post(&own, cast.manager.token(), json!({"duration": 15}))
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let spent = app
            .get_ok(
                &format!("/api/actions/tasks/{task}/time-spents"),
                cast.admin.token(),
            )
            .await;
        assert_eq!(spent["total"], json!(45.0));
    })
    .await;
}

#[tokio::test]
async fn artists_change_status_only_to_artist_allowed_statuses() {
    each_backend(|app| async move {
        let (cast, _, task) = setup(&app).await;
        let admin = cast.admin.token();
        let wfa = app
            .get_ok("/api/data/task-status?short_name=wfa", admin)
            .await;
        let wfa = str_of(&array_of(&wfa)[0]["id"]).to_owned();
        let path = format!("/api/actions/tasks/{task}/comment");
        let (status, body) = app
            .post(
                &path,
                cast.artist.token(),
                json!({"task_status_id": wfa, "comment": "done?"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let (status, _) = app
            .put(
                &format!("/api/data/task-status/{wfa}"),
                admin,
                json!({"is_artist_allowed": false}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = app
            .post(
                &path,
                cast.artist.token(),
                json!({"task_status_id": wfa, "comment": "again"}),
            )
            .await;
        assert_eq!((status, body), (StatusCode::FORBIDDEN, forbidden_body()));
        let (status, _) = app
            .post(&path, cast.manager.token(), json!({"task_status_id": wfa}))
            .await;
        assert_eq!(status, StatusCode::CREATED);
    })
    .await;
}

#[tokio::test]
async fn clients_see_only_comments_meant_for_them() {
    each_backend(|app| async move {
        let (cast, _, task) = setup(&app).await;
        let admin = cast.admin.token();
        let todo = app
            .get_ok("/api/data/task-status?short_name=todo", admin)
            .await;
        let todo = str_of(&array_of(&todo)[0]["id"]).to_owned();
        let path = format!("/api/actions/tasks/{task}/comment");
        app.post_created(
            &path,
            admin,
            json!({"task_status_id": todo, "comment": "internal"}),
        )
        .await;
        app.post_created(
            &path,
            admin,
            json!({"task_status_id": todo, "comment": "for you", "for_client": true}),
        )
        .await;
        let all = app
            .get_ok(&format!("/api/data/tasks/{task}/comments"), admin)
            .await;
        assert_eq!(array_of(&all).len(), 2);
        let seen = app
            .get_ok(
                &format!("/api/data/tasks/{task}/comments"),
                cast.client.token(),
            )
            .await;
        let seen = array_of(&seen);
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0]["text"], "for you");
        // The studio member who wrote it stays anonymous to the client.
        assert_eq!(seen[0]["person"], Value::Null);
    })
    .await;
}

#[tokio::test]
async fn people_outside_the_team_cannot_read_the_task() {
    each_backend(|app| async move {
        let (_, _, task) = setup(&app).await;
        let outsider = app.person_with_role("user").await;
        for path in [
            format!("/api/data/tasks/{task}"),
            format!("/api/data/tasks/{task}/full"),
            format!("/api/data/tasks/{task}/comments"),
            format!("/api/actions/tasks/{task}/time-spents"),
        ] {
            let (status, body) = app.get(&path, outsider.token()).await;
            assert_eq!(
                (status, body),
                (StatusCode::FORBIDDEN, forbidden_body()),
                "{path}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn vendors_see_only_their_own_tasks() {
    each_backend(|app| async move {
        let (cast, project, task) = setup(&app).await;
        let vendor = app.person_with_role("vendor").await;
        app.add_to_team(&project, &vendor.id).await;
        let admin = cast.admin.token();
        let full = app
            .get_ok(&format!("/api/data/tasks/{task}/full"), admin)
            .await;
        let shot = str_of(&full["entity_id"]).to_owned();
        let layout = app
            .get_ok(
                &with_query(
                    "/api/data/task-types",
                    &[("name", "Layout"), ("for_entity", "Shot")],
                ),
                admin,
            )
            .await;
        let theirs = app
            .post_created(
                "/api/data/tasks",
                admin,
                json!({"project_id": project, "entity_id": shot,
                       "task_type_id": array_of(&layout)[0]["id"], "assignees": [vendor.id]}),
            )
            .await;
        let theirs = str_of(&theirs["id"]).to_owned();
        let listed = app
            .get_ok(&format!("/api/data/shots/{shot}/tasks"), vendor.token())
            .await;
        let ids: Vec<&str> = array_of(&listed).iter().map(|t| str_of(&t["id"])).collect();
        assert_eq!(ids, [theirs.as_str()]);
        let all = app
            .get_ok(
                &format!("/api/data/projects/{project}/tasks"),
                vendor.token(),
            )
            .await;
        assert_eq!(array_of(&all).len(), 1);
        // Zou's check_entity_access: a vendor reads the tasks of the
        // entities he holds a task on...
        for t in [&task, &theirs] {
            let (status, _) = app
                .get(&format!("/api/data/tasks/{t}/full"), vendor.token())
                .await;
            assert_eq!(status, StatusCode::OK);
        }
        // ...and none once he holds none there.
        let (status, _) = app
            .put(
                &format!("/api/data/tasks/{theirs}"),
                admin,
                json!({"assignees": []}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, body) = app
            .get(&format!("/api/data/tasks/{task}/full"), vendor.token())
            .await;
        assert_eq!((status, body), (StatusCode::FORBIDDEN, forbidden_body()));
        let (status, _) = app
            .get(&format!("/api/data/shots/{shot}/tasks"), vendor.token())
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // The artist of the same team sees both.
        let listed = app
            .get_ok(
                &format!("/api/data/shots/{shot}/tasks"),
                cast.artist.token(),
            )
            .await;
        assert_eq!(array_of(&listed).len(), 2);
    })
    .await;
}

/// Zou's project roles: the role set on a team link applies on that
/// production only; null gives the person his global role back.
#[tokio::test]
async fn a_role_on_one_production_overrides_the_global_one_there() {
    each_backend(|app| async move {
        let (cast, project, task) = setup(&app).await;
        let admin = cast.admin.token();
        let member = format!("/api/data/projects/{project}/team/{}", cast.client.id);
        let edit = format!("/api/data/projects/{project}");
        let full = format!("/api/data/tasks/{task}/full");

        // As a client, the planning is blanked and the project read-only.
        let blank = app.get_ok(&full, cast.client.token()).await;
        assert_eq!(blank["estimation"], json!(0));
        assert_eq!(blank["persons"], json!([]));
        let (status, _) = app
            .put(&edit, cast.client.token(), json!({"description": "x"}))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // Only a manager of the production sets roles there.
        let (status, _) = app
            .put(&member, cast.artist.token(), json!({"role": "manager"}))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, link) = app.put(&member, admin, json!({"role": "manager"})).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            link,
            json!({"project_id": project, "person_id": cast.client.id, "role": "manager"})
        );
        let team = app
            .get_ok(&format!("/api/data/projects/{project}/team"), admin)
            .await;
        let roles: Vec<&Value> = array_of(&team)
            .iter()
            .filter(|p| p["id"] == json!(cast.client.id))
            .map(|p| &p["project_role"])
            .collect();
        assert_eq!(roles, [&json!("manager")]);

        // A manager there: he edits the project and sees the planning.
        let (status, _) = app
            .put(&edit, cast.client.token(), json!({"description": "x"}))
            .await;
        assert_eq!(status, StatusCode::OK);
        let seen = app.get_ok(&full, cast.client.token()).await;
        assert_eq!(array_of(&seen["persons"]).len(), 1, "{seen}");

        // Back to his global role.
        let (status, _) = app.put(&member, admin, json!({"role": null})).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = app
            .put(&edit, cast.client.token(), json!({"description": "y"}))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // Admin is no project role; strangers are not members.
        let (status, body) = app.put(&member, admin, json!({"role": "admin"})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["message"], "Validation error.");
        let outsider = format!("/api/data/projects/{project}/team/{}", uuid::Uuid::new_v4());
        let (status, body) = app.put(&outsider, admin, json!({"role": "user"})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            body["message"],
            "Person is not a member of the project team"
        );
    })
    .await;
}
