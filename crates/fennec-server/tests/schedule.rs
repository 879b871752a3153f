//! The schedule routes (/fennec/...): forecast, risks and timeline of a
//! project as of a date, computed from real tasks, assignments, time logged
//! and day offs.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{json, Value};

struct Production {
    project: String,
    artist: Caller,
    admin: Caller,
    late: String,
    slipping: String,
    unassigned: String,
    done: String,
}

/// A small production as of Monday 2024-03-04: one late task, one that
/// cannot fit before its due date, one unassigned, one done.
async fn production(app: &TestApp) -> Production {
    let admin = app.admin().await;
    let artist = app.person_with_role("user").await;
    let project = app.project_with_member("Forecast", &artist).await;
    let t = admin.token();
    let prop = app.get_ok("/api/data/asset-types?name=Prop", t).await;
    let modeling = app.get_ok("/api/data/task-types?name=Modeling", t).await;
    let modeling = str_of(&array_of(&modeling)[0]["id"]).to_owned();
    let mut tasks = Vec::new();
    for (name, due, estimate, assigned) in [
        ("Lamp", "2024-03-01", 480, true),
        ("Chair", "2024-03-05", 60 * 8 * 5, true),
        ("Table", "2024-03-20", 480, false),
        ("Cup", "2024-03-20", 480, true),
    ] {
        let asset = app
            .post_created(
                &format!(
                    "/api/data/projects/{project}/asset-types/{}/assets/new",
                    str_of(&array_of(&prop)[0]["id"])
                ),
                t,
                json!({"name": name}),
            )
            .await;
        let assignees: Vec<&str> = if assigned { vec![&artist.id] } else { vec![] };
        let task = app
            .post_created(
                "/api/data/tasks",
                t,
                json!({"project_id": project, "entity_id": asset["id"], "task_type_id": modeling,
                       "assignees": assignees}),
            )
            .await;
        let id = str_of(&task["id"]).to_owned();
        let (status, _) = app
            .put(
                &format!("/api/data/tasks/{id}"),
                t,
                json!({"start_date": "2024-02-26", "due_date": due, "estimation": estimate}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        tasks.push(id);
    }
    let done = app.get_ok("/api/data/task-status?short_name=done", t).await;
    app.post_created(
        &format!("/api/actions/tasks/{}/comment", tasks[3]),
        t,
        json!({"task_status_id": array_of(&done)[0]["id"], "comment": "ok"}),
    )
    .await;
    Production {
        project,
        artist,
        admin,
        late: tasks[0].clone(),
        slipping: tasks[1].clone(),
        unassigned: tasks[2].clone(),
        done: tasks[3].clone(),
    }
}

fn kinds_for(risks: &Value, task: &str) -> Vec<String> {
    array_of(&risks["risks"])
        .iter()
        .filter(|r| r["task_id"] == json!(task))
        .map(|r| str_of(&r["kind"]).to_owned())
        .collect()
}

#[tokio::test]
async fn risks_name_what_will_slip_and_why() {
    each_backend(|app| async move {
        let p = production(&app).await;
        let url = format!("/api/fennec/projects/{}/risks?as_of=2024-03-04", p.project);
        let risks = app.get_ok(&url, p.admin.token()).await;
        assert_eq!(risks["as_of"], "2024-03-04");
        assert!(
            kinds_for(&risks, &p.late).contains(&"late".to_owned()),
            "{risks}"
        );
        assert!(
            kinds_for(&risks, &p.slipping).contains(&"will_slip".to_owned()),
            "{risks}"
        );
        assert!(
            kinds_for(&risks, &p.unassigned).contains(&"unassigned".to_owned()),
            "{risks}"
        );
        assert!(
            kinds_for(&risks, &p.done).is_empty(),
            "done tasks carry no risk"
        );
        let slip = array_of(&risks["risks"])
            .iter()
            .find(|r| r["task_id"] == json!(p.slipping) && r["kind"] == "will_slip")
            .unwrap();
        assert_eq!(slip["numbers"]["due"], "2024-03-05");
        assert!(
            slip["numbers"]["slip_days"].as_i64().unwrap() >= 1,
            "{slip}"
        );
        assert_eq!(slip["task"]["entity"]["name"], "Chair");
        assert_eq!(risks["summary"]["late_tasks"], 1);
        assert_eq!(risks["summary"]["unassigned_tasks"], 1);

        // Filters: severity floor, kind, person.
        let high = app
            .get_ok(&format!("{url}&severity=high"), p.admin.token())
            .await;
        assert!(array_of(&high["risks"])
            .iter()
            .all(|r| r["severity"] == "high"));
        let late_only = app
            .get_ok(&format!("{url}&kind=late"), p.admin.token())
            .await;
        assert!(array_of(&late_only["risks"])
            .iter()
            .all(|r| r["kind"] == "late"));
        assert_eq!(array_of(&late_only["risks"]).len(), 1);
        let mine = app
            .get_ok(
                &format!("{url}&person_id={}", p.artist.id),
                p.artist.token(),
            )
            .await;
        assert!(kinds_for(&mine, &p.unassigned).is_empty());

        // Reproducible: the same as_of gives the same answer.
        let again = app.get_ok(&url, p.admin.token()).await;
        assert_eq!(again, risks);
    })
    .await;
}

#[tokio::test]
async fn forecast_lays_work_on_the_calendar_and_respects_day_offs() {
    each_backend(|app| async move {
        let p = production(&app).await;
        let url = format!(
            "/api/fennec/projects/{}/forecast?as_of=2024-03-04",
            p.project
        );
        let before = app.get_ok(&url, p.admin.token()).await;
        let finish = |f: &Value, task: &str| -> String {
            let row = array_of(&f["tasks"])
                .iter()
                .find(|t| t["task_id"] == json!(task))
                .unwrap()
                .clone();
            str_of(&row["forecast_finish"]).to_owned()
        };
        let chair_before = finish(&before, &p.slipping);
        assert_eq!(array_of(&before["unassigned"]), &vec![json!(p.unassigned)]);
        let person = array_of(&before["people"])
            .iter()
            .find(|x| x["person_id"] == json!(p.artist.id))
            .unwrap()
            .clone();
        assert_eq!(person["minutes_per_day"], 480);
        assert!(person.get("days").is_none(), "days only on request");

        // A week off pushes the artist's work back.
        app.post_created(
            "/api/data/day-offs",
            p.admin.token(),
            json!({"person_id": p.artist.id, "date": "2024-03-04", "end_date": "2024-03-08"}),
        )
        .await;
        let after = app.get_ok(&url, p.admin.token()).await;
        assert!(
            finish(&after, &p.slipping) > chair_before,
            "{before} vs {after}"
        );
        let with_days = app
            .get_ok(&format!("{url}&days=true"), p.admin.token())
            .await;
        let days = &array_of(&with_days["people"])
            .iter()
            .find(|x| x["person_id"] == json!(p.artist.id))
            .unwrap()["days"];
        assert!(array_of(days)
            .iter()
            .all(|d| d["load_minutes"].as_i64() <= d["capacity_minutes"].as_i64()));
    })
    .await;
}

#[tokio::test]
async fn timeline_groups_planned_actual_and_forecast() {
    each_backend(|app| async move {
        let p = production(&app).await;
        let tl = app
            .get_ok(
                &format!(
                    "/api/fennec/projects/{}/timeline?as_of=2024-03-04&group_by=task_type",
                    p.project
                ),
                p.admin.token(),
            )
            .await;
        assert_eq!(tl["group_by"], "task_type");
        let groups = array_of(&tl["groups"]);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0]["key"]["name"], "Modeling");
        assert_eq!(groups[0]["planned_start"], "2024-02-26");
        assert_eq!(groups[0]["progress"]["tasks"], 4);
        assert_eq!(groups[0]["progress"]["done_tasks"], 1);
        assert_eq!(array_of(&groups[0]["tasks"]).len(), 4);
    })
    .await;
}

#[tokio::test]
async fn schedule_routes_refuse_bad_input_and_outsiders() {
    each_backend(|app| async move {
        let p = production(&app).await;
        let base = format!("/api/fennec/projects/{}", p.project);
        let t = p.admin.token();
        for (path, message) in [
            (
                format!("{base}/risks?as_of=2024-13-01"),
                "Invalid date format for 'as_of': '2024-13-01'. Expected YYYY-MM-DD.",
            ),
            (
                format!("{base}/risks?severity=urgent"),
                "Invalid severity 'urgent': use low, medium or high.",
            ),
            (
                format!("{base}/risks?task_type_id=nope"),
                "Invalid UUID value: nope",
            ),
        ] {
            let (status, body) = app.get(&path, t).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
            assert_eq!(body["message"], message);
        }
        let (status, _) = app
            .get(&format!("{base}/timeline?group_by=colour"), t)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, _) = app.get("/api/fennec/projects/not-a-uuid/risks", t).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = app
            .get(
                &format!("/api/fennec/projects/{}/risks", uuid::Uuid::new_v4()),
                t,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let outsider = app.person_with_role("user").await;
        let (status, _) = app.get(&format!("{base}/risks"), outsider.token()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = app.get(&format!("{base}/risks"), None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    })
    .await;
}

#[tokio::test]
async fn the_studio_calendar_drives_capacity() {
    each_backend(|app| async move {
        let p = production(&app).await;
        let t = p.admin.token();
        let cal = app.get_ok("/api/fennec/calendar", t).await;
        assert_eq!(cal["hours_per_day"], json!(8.0));
        assert_eq!(cal["work_week"], json!(["monday", "tuesday", "wednesday", "thursday", "friday"]));
        // A four-hour part-timer.
        let (status, body) = app
            .put(
                "/api/fennec/calendar",
                t,
                json!({"hours_per_day": 8.0, "work_week": ["monday", "tuesday", "wednesday", "thursday", "friday"],
                       "holidays": ["2024-03-05"],
                       "people": [{"person_id": p.artist.id, "hours_per_day": 4.0}]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let f = app
            .get_ok(&format!("/api/fennec/projects/{}/forecast?as_of=2024-03-04", p.project), t)
            .await;
        let person = array_of(&f["people"]).iter().find(|x| x["person_id"] == json!(p.artist.id)).unwrap().clone();
        assert_eq!(person["minutes_per_day"], 240);
        let (status, _) = app.put("/api/fennec/calendar", p.artist.token(), json!({})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = app.put("/api/fennec/calendar", t, json!({"work_week": ["funday"]})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, _) = app.put("/api/fennec/calendar", t, json!({"hours_per_day": 30})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    })
    .await;
}

#[tokio::test]
async fn task_links_hold_successors_back_and_refuse_cycles() {
    each_backend(|app| async move {
        let p = production(&app).await;
        let t = p.admin.token();
        let links = format!("/api/fennec/projects/{}/task-links", p.project);
        // Chair may not start before Lamp (both the artist's) is done.
        let link = app
            .post_created(
                &links,
                t,
                json!({"predecessor_id": p.late, "successor_id": p.slipping, "lag_days": 1}),
            )
            .await;
        assert_eq!(link["lag_days"], 1);
        assert_eq!(link["kind"], "explicit");
        let (status, body) = app
            .post(
                &links,
                t,
                json!({"predecessor_id": p.slipping, "successor_id": p.late}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            body["message"],
            "This link would make a cycle: Lamp / Modeling → Chair / Modeling → Lamp / Modeling."
        );
        let (status, _) = app
            .post(
                &links,
                p.artist.token(),
                json!({"predecessor_id": p.unassigned, "successor_id": p.late}),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = app
            .post(
                &links,
                t,
                json!({"predecessor_id": p.late, "successor_id": uuid::Uuid::new_v4()}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);

        let f = app
            .get_ok(
                &format!(
                    "/api/fennec/projects/{}/forecast?as_of=2024-03-04",
                    p.project
                ),
                t,
            )
            .await;
        let task = |id: &str| {
            array_of(&f["tasks"])
                .iter()
                .find(|x| x["task_id"] == json!(id))
                .cloned()
                .unwrap()
        };
        let (lamp, chair) = (task(&p.late), task(&p.slipping));
        assert_eq!(lamp["forecast_finish"], "2024-03-04");
        // One working day of lag after Monday.
        assert_eq!(chair["earliest_start"], "2024-03-05");
        assert_eq!(chair["forecast_start"], "2024-03-05");
        assert_eq!(chair["waits_for"], json!(p.late));
        assert_eq!(chair["task"]["full_name"], "Chair / Modeling");

        let cp = app
            .get_ok(
                &format!(
                    "/api/fennec/projects/{}/critical-path?as_of=2024-03-04",
                    p.project
                ),
                t,
            )
            .await;
        let end = &array_of(&cp["targets"])[0];
        let path: Vec<&str> = array_of(&end["path"])
            .iter()
            .map(|x| str_of(&x["full_name"]))
            .collect();
        assert_eq!(path, ["Lamp / Modeling", "Chair / Modeling"]);
        assert_eq!(end["slack"][&p.slipping], 0);

        let listed = app.get_ok(&links, t).await;
        assert_eq!(array_of(&listed).len(), 1);
        let (status, _) = app
            .delete(
                &format!("/api/fennec/task-links/{}", str_of(&link["id"])),
                t,
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(array_of(&app.get_ok(&links, t).await).len(), 0);
    })
    .await;
}

#[tokio::test]
async fn causes_group_the_risks_and_what_if_writes_nothing() {
    each_backend(|app| async move {
        let p = production(&app).await;
        let t = p.admin.token();
        let base = format!("/api/fennec/projects/{}", p.project);
        let causes = app
            .get_ok(&format!("{base}/causes?as_of=2024-03-04"), t)
            .await;
        let of_kind = |kind: &str| -> Vec<Value> {
            array_of(&causes["causes"])
                .iter()
                .filter(|c| c["kind"] == kind)
                .cloned()
                .collect()
        };
        let holds = |cause: &Value, task: &str| {
            array_of(&cause["tasks"])
                .iter()
                .any(|r| r["id"] == json!(task))
        };
        // The unassigned table is its own cause; the artist's slipping
        // chair is driven by him (one person, four weeks of work).
        assert!(
            of_kind("unassigned_task")
                .iter()
                .any(|c| holds(c, &p.unassigned)),
            "{causes}"
        );
        let every_task: Vec<&Value> = array_of(&causes["causes"])
            .iter()
            .flat_map(|c| array_of(&c["tasks"]).iter())
            .collect();
        assert!(
            every_task.iter().any(|r| r["id"] == json!(p.slipping)),
            "the slipping task has a cause: {causes}"
        );
        assert!(!every_task.iter().any(|r| r["id"] == json!(p.done)));

        // What if the chair were due two weeks later: it no longer slips,
        // and nothing is written.
        let before = app
            .get_ok(&format!("{base}/forecast?as_of=2024-03-04"), t)
            .await;
        let (status, answer) = app
            .post(
                &format!("{base}/what-if?as_of=2024-03-04"),
                t,
                json!({"changes": [{"type": "move_due", "task_id": p.slipping, "due": "2024-03-29"}]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let slips = |counts: &Value| counts["will_slip"].as_i64().unwrap_or(0);
        assert!(
            slips(&answer["risks_after"]) < slips(&answer["risks_before"]),
            "{answer}"
        );
        let after = app
            .get_ok(&format!("{base}/forecast?as_of=2024-03-04"), t)
            .await;
        assert_eq!(before, after, "what-if wrote nothing");

        // A change naming no task of the production is the client's mistake.
        let (status, _) = app
            .post(
                &format!("{base}/what-if"),
                t,
                json!({"changes": [{"type": "move_due", "task_id": uuid::Uuid::new_v4()}]}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, _) = app.post(&format!("{base}/what-if"), t, json!({})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    })
    .await;
}

/// A forecast task row by id.
fn forecast_row(f: &Value, id: &str) -> Value {
    array_of(&f["tasks"])
        .iter()
        .find(|x| x["task_id"] == json!(id))
        .cloned()
        .unwrap_or_else(|| panic!("no forecast for {id}: {f}"))
}

#[tokio::test]
async fn unassigned_tasks_are_forecast_on_their_departments_spare_time() {
    each_backend(|app| async move {
        let p = production(&app).await;
        let t = p.admin.token();
        let url = format!(
            "/api/fennec/projects/{}/forecast?as_of=2024-03-04",
            p.project
        );
        let before = app.get_ok(&url, t).await;
        let table = forecast_row(&before, &p.unassigned);
        // Nobody in Modeling yet: no dates.
        assert_eq!(table["spare_capacity"], Value::Null, "{table}");
        assert_eq!(table["forecast_finish"], Value::Null);

        // The artist joins Modeling, the department of the task type.
        let modeling = app.get_ok("/api/data/departments?name=Modeling", t).await;
        let modeling = str_of(&array_of(&modeling)[0]["id"]).to_owned();
        let (status, body) = app
            .post(
                &format!("/api/actions/persons/{}/departments/add", p.artist.id),
                t,
                json!({"department_id": modeling}),
            )
            .await;
        assert!(status.is_success(), "{status} {body}");
        let after = app.get_ok(&url, t).await;
        let table = forecast_row(&after, &p.unassigned);
        assert_eq!(table["state"], "unassigned");
        assert_eq!(table["spare_capacity"]["department"]["name"], "Modeling");
        assert_eq!(table["spare_capacity"]["person_id"], json!(p.artist.id));
        // After his assigned work (Lamp on Monday, Chair's five days):
        // Tuesday of the next week.
        assert_eq!(table["forecast_start"], "2024-03-12", "{table}");
        assert_eq!(table["forecast_finish"], "2024-03-12");
        // Assigned work keeps its dates.
        assert_eq!(
            forecast_row(&after, &p.slipping)["forecast_finish"],
            forecast_row(&before, &p.slipping)["forecast_finish"]
        );
        assert_eq!(array_of(&after["unassigned"]), &vec![json!(p.unassigned)]);
        let person = array_of(&after["people"])
            .iter()
            .find(|x| x["person_id"] == json!(p.artist.id))
            .cloned()
            .unwrap();
        assert_eq!(person["tentative_minutes"], 480);

        // The risk says where it is forecast.
        let risks = app
            .get_ok(
                &format!(
                    "/api/fennec/projects/{}/risks?as_of=2024-03-04&kind=unassigned",
                    p.project
                ),
                t,
            )
            .await;
        let row = &array_of(&risks["risks"])[0];
        assert_eq!(row["numbers"]["forecast"], "2024-03-12");
        assert_eq!(row["spare_capacity"]["department"]["name"], "Modeling");
        assert_eq!(row["spare_capacity"]["person"]["id"], json!(p.artist.id));
    })
    .await;
}

/// A character with a rig and a shot with an animation task, the
/// character cast in the shot.
struct CastProduction {
    project: String,
    admin: Caller,
    artist: Caller,
    rig: String,
    animation: String,
    rigging_type: String,
    animation_type: String,
}

async fn cast_production(app: &TestApp) -> CastProduction {
    let admin = app.admin().await;
    let artist = app.person_with_role("user").await;
    let animator = app.person_with_role("user").await;
    let project = app.project_with_member("Casting", &artist).await;
    app.add_to_team(&project, &animator.id).await;
    let t = admin.token();
    let type_id = |v: Value| str_of(&array_of(&v)[0]["id"]).to_owned();
    let character = type_id(app.get_ok("/api/data/asset-types?name=Character", t).await);
    let rigging_type = type_id(app.get_ok("/api/data/task-types?name=Rigging", t).await);
    let animation_type = type_id(app.get_ok("/api/data/task-types?name=Animation", t).await);
    let hero = app
        .post_created(
            &format!("/api/data/projects/{project}/asset-types/{character}/assets/new"),
            t,
            json!({"name": "Hero"}),
        )
        .await;
    let sequence = app
        .post_created(
            &format!("/api/data/projects/{project}/sequences"),
            t,
            json!({"name": "SQ01"}),
        )
        .await;
    let shot = app
        .post_created(
            &format!("/api/data/projects/{project}/shots"),
            t,
            json!({"name": "SH010", "sequence_id": sequence["id"]}),
        )
        .await;
    let mut ids = Vec::new();
    for (entity, task_type, who, days) in [
        (&hero["id"], &rigging_type, &artist, 3),
        (&shot["id"], &animation_type, &animator, 1),
    ] {
        let task = app
            .post_created(
                "/api/data/tasks",
                t,
                json!({"project_id": project, "entity_id": entity, "task_type_id": task_type,
                       "assignees": [who.id]}),
            )
            .await;
        let id = str_of(&task["id"]).to_owned();
        let (status, body) = app
            .put(
                &format!("/api/data/tasks/{id}"),
                t,
                json!({"start_date": "2024-03-04", "due_date": "2024-03-15",
                       "estimation": 480 * days}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        ids.push(id);
    }
    let (status, body) = app
        .put(
            &format!(
                "/api/data/projects/{project}/entities/{}/casting",
                str_of(&shot["id"])
            ),
            t,
            json!([{"asset_id": hero["id"], "nb_occurences": 1}]),
        )
        .await;
    assert!(status.is_success(), "{status} {body}");
    CastProduction {
        project,
        admin,
        artist,
        rig: ids[0].clone(),
        animation: ids[1].clone(),
        rigging_type,
        animation_type,
    }
}

#[tokio::test]
async fn a_shots_animation_waits_for_its_cast_characters_rig() {
    each_backend(|app| async move {
        let p = cast_production(&app).await;
        let t = p.admin.token();
        let url = format!(
            "/api/fennec/projects/{}/forecast?as_of=2024-03-04",
            p.project
        );
        let feeds_url = format!("/api/fennec/projects/{}/cast-feeds", p.project);
        let f = app.get_ok(&url, t).await;
        let (rig, anim) = (forecast_row(&f, &p.rig), forecast_row(&f, &p.animation));
        // Rig Monday to Wednesday; the animation starts once it is done.
        assert_eq!(rig["forecast_finish"], "2024-03-06", "{rig}");
        assert_eq!(anim["waits_for"], json!(p.rig), "{anim}");
        assert!(str_of(&anim["forecast_start"]) >= str_of(&rig["forecast_finish"]));
        let feeds = app.get_ok(&feeds_url, t).await;
        assert_eq!(feeds["custom"], false);
        let links = app
            .get_ok(
                &format!(
                    "/api/fennec/projects/{}/task-links?pipeline=true",
                    p.project
                ),
                t,
            )
            .await;
        assert!(
            array_of(&links).iter().any(|l| l["kind"] == "cast"
                && l["predecessor_id"] == json!(p.rig)
                && l["successor_id"] == json!(p.animation)),
            "{links}"
        );

        // The production turns casting dependencies off: no wait.
        let off = app.put(&feeds_url, t, json!({"feeds": []})).await;
        assert_eq!(off.0, StatusCode::OK, "{}", off.1);
        assert_eq!(off.1["custom"], true);
        let f = app.get_ok(&url, t).await;
        assert_eq!(
            forecast_row(&f, &p.animation)["forecast_start"],
            "2024-03-04"
        );
        assert_eq!(forecast_row(&f, &p.animation)["waits_for"], Value::Null);

        // Its own feed: the rig feeds the animation again.
        let (status, body) = app
            .put(
                &feeds_url,
                t,
                json!({"feeds": [{"asset_task_type_id": p.rigging_type,
                                  "shot_task_type_id": p.animation_type}]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["feeds"][0]["asset_task_type"]["name"], "Rigging");
        assert_eq!(body["feeds"][0]["shot_task_type"]["name"], "Animation");
        let f = app.get_ok(&url, t).await;
        assert_eq!(forecast_row(&f, &p.animation)["waits_for"], json!(p.rig));

        // Refused: the sides swapped, an unknown type, not a list, an artist.
        let (status, body) = app
            .put(
                &feeds_url,
                t,
                json!({"feeds": [{"asset_task_type_id": p.animation_type,
                                  "shot_task_type_id": p.rigging_type}]}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            body["message"],
            "asset_task_type_id: Animation is a task type for Shot, not for Asset."
        );
        let (status, _) = app
            .put(
                &feeds_url,
                t,
                json!({"feeds": [{"asset_task_type_id": uuid::Uuid::new_v4(),
                                  "shot_task_type_id": p.animation_type}]}),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, _) = app.put(&feeds_url, t, json!({"feeds": 3})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, _) = app
            .put(&feeds_url, p.artist.token(), json!({"feeds": []}))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // The refusals changed nothing.
        assert_eq!(app.get_ok(&feeds_url, t).await["custom"], true);
        assert_eq!(
            array_of(&app.get_ok(&feeds_url, p.artist.token()).await["feeds"]).len(),
            1
        );

        // Back to the default.
        let (status, body) = app.delete(&feeds_url, t).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["custom"], false);
        let f = app.get_ok(&url, t).await;
        assert_eq!(forecast_row(&f, &p.animation)["waits_for"], json!(p.rig));
    })
    .await;
}

#[tokio::test]
async fn a_schedule_version_is_forecast_before_it_is_applied() {
    each_backend(|app| async move {
        let p = production(&app).await;
        let t = p.admin.token();
        let version = app
            .post_created(
                "/api/data/production-schedule-versions",
                t,
                json!({"project_id": p.project, "name": "Later chair"}),
            )
            .await;
        let vid = str_of(&version["id"]).to_owned();
        let (status, body) = app
            .post(
                &format!(
                    "/api/actions/production-schedule-versions/{vid}/set-task-links-from-production"
                ),
                t,
                json!({}),
            )
            .await;
        assert!(status.is_success(), "{status} {body}");
        let links = app
            .get_ok(
                &format!("/api/data/production-schedule-versions/{vid}/task-links"),
                t,
            )
            .await;
        let chair = array_of(&links)
            .iter()
            .find(|l| l["task_id"] == json!(p.slipping))
            .cloned()
            .unwrap_or_else(|| panic!("{links}"));
        let (status, body) = app
            .put(
                &format!(
                    "/api/data/production-schedule-version-task-links/{}",
                    str_of(&chair["id"])
                ),
                t,
                json!({"due_date": "2024-03-29"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");

        let forecast_url = format!(
            "/api/fennec/projects/{}/forecast?as_of=2024-03-04",
            p.project
        );
        let before = app.get_ok(&forecast_url, t).await;
        let url =
            format!("/api/fennec/production-schedule-versions/{vid}/forecast?as_of=2024-03-04");
        let answer = app.get_ok(&url, t).await;
        assert_eq!(answer["version"]["name"], "Later chair");
        assert_eq!(answer["project"]["id"], json!(p.project));
        let slips = |counts: &Value| counts["will_slip"].as_i64().unwrap_or(0);
        assert_eq!(slips(&answer["risks_before"]), 1, "{answer}");
        assert_eq!(slips(&answer["risks_after"]), 0, "{answer}");
        let moved = array_of(&answer["tasks"])
            .iter()
            .find(|c| c["task_id"] == json!(p.slipping))
            .cloned()
            .unwrap_or_else(|| panic!("{answer}"));
        assert!(moved["before_slip_days"].as_i64() > Some(0));
        assert_eq!(moved["after_slip_days"], 0);
        assert_eq!(moved["full_name"], "Chair / Modeling");

        // Nothing was written: the production and its task are as before.
        assert_eq!(app.get_ok(&forecast_url, t).await, before);
        let task = app
            .get_ok(&format!("/api/data/tasks/{}", p.slipping), t)
            .await;
        assert!(
            str_of(&task["due_date"]).starts_with("2024-03-05"),
            "{task}"
        );

        // Who may read the version may forecast it; others may not.
        let (status, _) = app.get(&url, p.artist.token()).await;
        assert_eq!(status, StatusCode::OK);
        let outsider = app.person_with_role("user").await;
        let (status, _) = app.get(&url, outsider.token()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = app
            .get(
                &format!(
                    "/api/fennec/production-schedule-versions/{}/forecast",
                    uuid::Uuid::new_v4()
                ),
                t,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    })
    .await;
}
