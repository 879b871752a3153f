//! Day offs and milestones: Zou's routes, its overlap rule, and the time
//! logged on days off being wiped (with task durations kept as sums).

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::json;

#[tokio::test]
async fn day_offs_follow_zous_rules() {
    each_backend(|app| async move {
        let admin = app.admin().await;
        let artist = app.person_with_role("user").await;
        let other = app.person_with_role("user").await;
        let manager = app.person_with_role("manager").await;

        let own = app
            .post_created(
                "/api/data/day-offs",
                artist.token(),
                json!({"person_id": artist.id, "date": "2024-03-04", "end_date": "2024-03-06",
                       "description": "holiday"}),
            )
            .await;
        assert_eq!(own["type"], "DayOff");
        assert_eq!(own["date"], "2024-03-04");
        let keys = keys(&own);
        assert_eq!(
            keys,
            [
                "date",
                "end_date",
                "description",
                "person_id",
                "id",
                "created_at",
                "updated_at",
                "type"
            ]
        );

        // Overlapping periods are refused.
        let (status, body) = app
            .post(
                "/api/data/day-offs",
                artist.token(),
                json!({"person_id": artist.id, "date": "2024-03-06", "end_date": "2024-03-08"}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["message"], "Day off already exists for this period");

        // Someone else's: admins only (Zou's check_day_off_access), not
        // even a manager.
        for who in [&artist, &manager] {
            let (status, _) = app
                .post(
                    "/api/data/day-offs",
                    who.token(),
                    json!({"person_id": other.id, "date": "2024-04-01", "end_date": "2024-04-01"}),
                )
                .await;
            assert_eq!(status, StatusCode::FORBIDDEN);
        }
        // Zou's generic creation needs the end date: its KeyError is the
        // message.
        let (status, body) = app
            .post(
                "/api/data/day-offs",
                admin.token(),
                json!({"person_id": other.id, "date": "2024-04-01"}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body, json!({"message": "'end_date'"}));
        app.post_created(
            "/api/data/day-offs",
            admin.token(),
            json!({"person_id": other.id, "date": "2024-04-01", "end_date": "2024-04-01"}),
        )
        .await;

        let month = app
            .get_ok(
                &format!("/api/data/persons/{}/day-offs/month/2024/03", artist.id),
                artist.token(),
            )
            .await;
        assert_eq!(array_of(&month).len(), 1);
        let week = app
            .get_ok(
                &format!("/api/data/persons/{}/day-offs/week/2024/10", artist.id),
                artist.token(),
            )
            .await;
        assert_eq!(array_of(&week).len(), 1);
        let year = app
            .get_ok(
                &format!("/api/data/persons/{}/day-offs/year/2023", artist.id),
                artist.token(),
            )
            .await;
        assert_eq!(array_of(&year).len(), 0);
        let (status, _) = app
            .get(
                &format!("/api/data/persons/{}/day-offs", other.id),
                artist.token(),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let on_day = app
            .get_ok("/api/data/user/day-offs/2024-03-05", artist.token())
            .await;
        assert_eq!(on_day["id"], own["id"]);
        let off_day = app
            .get_ok("/api/data/user/day-offs/2024-03-07", artist.token())
            .await;
        assert_eq!(off_day, json!({}));
        let all = app.get_ok("/api/data/day-offs", admin.token()).await;
        assert_eq!(array_of(&all).len(), 2);
        let (status, _) = app
            .get("/api/data/user/day-offs/2024-13-01", artist.token())
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);

        let (status, _) = app
            .delete(
                &format!("/api/data/day-offs/{}", str_of(&own["id"])),
                artist.token(),
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    })
    .await;
}

#[tokio::test]
async fn a_day_off_wipes_time_logged_on_its_days() {
    each_backend(|app| async move {
        let admin = app.admin().await;
        let artist = app.person_with_role("user").await;
        let project = app.project_with_member("Days", &artist).await;
        let assets = app
            .get_ok("/api/data/asset-types?name=Prop", admin.token())
            .await;
        let asset = app
            .post_created(
                &format!(
                    "/api/data/projects/{project}/asset-types/{}/assets/new",
                    str_of(&array_of(&assets)[0]["id"])
                ),
                admin.token(),
                json!({"name": "Lamp"}),
            )
            .await;
        let modeling = app
            .get_ok("/api/data/task-types?name=Modeling", admin.token())
            .await;
        let task = app
            .post_created(
                "/api/data/tasks",
                admin.token(),
                json!({"project_id": project, "entity_id": asset["id"],
                       "task_type_id": array_of(&modeling)[0]["id"], "assignees": [artist.id]}),
            )
            .await;
        let task = str_of(&task["id"]).to_owned();
        for (day, minutes) in [("2024-05-06", 60), ("2024-05-07", 90), ("2024-05-08", 30)] {
            app.post_created(
                &format!(
                    "/api/actions/tasks/{task}/time-spents/{day}/persons/{}",
                    artist.id
                ),
                artist.token(),
                json!({"duration": minutes}),
            )
            .await;
        }
        app.post_created(
            "/api/data/day-offs",
            artist.token(),
            json!({"person_id": artist.id, "date": "2024-05-07", "end_date": "2024-05-08"}),
        )
        .await;
        let spent = app
            .get_ok(
                &format!("/api/actions/tasks/{task}/time-spents"),
                admin.token(),
            )
            .await;
        assert_eq!(spent["total"], json!(60.0));
        let full = app
            .get_ok(&format!("/api/data/tasks/{task}"), admin.token())
            .await;
        assert_eq!(full["duration"], json!(60.0));
    })
    .await;
}

#[tokio::test]
async fn managers_set_milestones_of_their_projects() {
    each_backend(|app| async move {
        let manager = app.person_with_role("manager").await;
        let artist = app.person_with_role("user").await;
        let project = app.project_with_member("Dates", &manager).await;
        app.add_to_team(&project, &artist.id).await;
        let m = app
            .post_created(
                "/api/data/milestones",
                manager.token(),
                json!({"project_id": project, "name": "Trailer", "date": "2025-02-01"}),
            )
            .await;
        assert_eq!(m["type"], "Milestone");
        let (status, _) = app
            .post(
                "/api/data/milestones",
                artist.token(),
                json!({"project_id": project, "name": "Nope", "date": "2025-02-01"}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let list = app
            .get_ok(
                &format!("/api/data/projects/{project}/milestones"),
                artist.token(),
            )
            .await;
        assert_eq!(names(&list), ["Trailer"]);
        let (status, body) = app
            .put(
                &format!("/api/data/milestones/{}", str_of(&m["id"])),
                manager.token(),
                json!({"date": "2025-03-01"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["date"], "2025-03-01");
    })
    .await;
}
