"""Coverage of gazu 1.3.1 (issue 12): every public function of gazu's user,
person and task modules is called through the real gazu on a small tvshow
production with an artist, a supervisor and a bot working on it (see
``coverage_calls_people.py``: the fixture ``World`` and the argument table
``CALLS``; the machinery is ``coverage_harness.py``, shared with
``test_gazu_coverage.py``).

Reading the output
------------------
The report is printed whatever pytest's capture setting (and written to
``gazu-coverage-people-<backend>.txt`` in pytest's temporary folder).  Per
module it gives ``served/total`` and then one line per function that was not
served: ``served``, ``route-missing`` (a 404 or 405; the request and the
first bytes of the answer are shown), ``server-error`` (a 5xx, in the call
or in preparing its arguments), ``client-error`` (another 4xx, or gazu
failed on the answer), ``blocked`` (an object the call needs could not be
made).  The preview, attachment and avatar-picture functions belong to the
previews issue (14): they are called too, but shown in their own group
("previews (issue 14)") and left out of the total.  ``LOCAL_ONLY`` functions
(no HTTP) are listed as skipped.  Destructive calls (``remove_*``,
``delete_*``) run last, each on objects made for it.

What fails
----------
* any 5xx answer (on the real Zou, its own in ``ZOU_OWN_ERRORS``; on Fennec,
  the ones listed in ``KNOWN_5XX``, reported to be fixed);
* a function of ``MUST_SERVE_PEOPLE`` that is not ``served`` (a regression);
* a public function of these modules with no entry in ``CALLS`` or
  ``LOCAL_ONLY``, or an entry naming a function gazu does not have.

Growing MUST_SERVE_PEOPLE
-------------------------
When a route is implemented, run this module, check that the function now
shows as served on SQLite and PostgreSQL, and add its ``"module.function"``
name below (kept sorted by module).  The report's last line lists the
functions served but not yet listed.  Never remove a name to make the test
pass.

Validated against the real Zou 1.0.97 (``FENNEC_BIN=tests/gazu/zou_reference/fennec``,
see README.md): there 165 of the 166 functions are served (user 46/46,
person 39/39, task 80/81) and the 13 of the previews group too; the one
left is Zou's own (``ZOU_NOT_SERVED``): gazu's ``create_multiple_comments``
posts a multipart form where Zou wants a JSON array (400).  Arguments follow
Zou where a whole gazu dict would be refused: the update calls send the
changed fields with the id; ``disable_two_factor_authentication`` is called
on a person who turned TOTP on (Zou answers 400 otherwise).
"""

from __future__ import annotations

import time

from coverage_calls_people import CALLS, DESTRUCTIVE, LOCAL_ONLY, MODULES, PREVIEWS, World
from coverage_harness import Coverage, check_entries, problems, render, run_all
from support import REFERENCE_IS_ZOU

# Functions Fennec serves today (measured on SQLite and PostgreSQL).  A
# function listed here that is not served fails the test.
MUST_SERVE_PEOPLE = {
    # user (39)
    "user.all_asset_types_for_project",
    "user.all_assets_for_asset_type_and_project",
    "user.all_chats",
    "user.all_desktop_login_logs",
    "user.all_done_tasks",
    "user.all_episodes_for_project",
    "user.all_filter_groups",
    "user.all_filters",
    "user.all_notifications",
    "user.all_open_projects",
    "user.all_scenes_for_sequence",
    "user.all_sequences_for_project",
    "user.all_shots_for_sequence",
    "user.all_task_types_for_asset",
    "user.all_task_types_for_scene",
    "user.all_task_types_for_sequence",
    "user.all_task_types_for_shot",
    "user.all_tasks_for_asset",
    "user.all_tasks_for_scene",
    "user.all_tasks_for_sequence",
    "user.all_tasks_for_shot",
    "user.all_tasks_requiring_feedback",
    "user.all_tasks_to_do",
    "user.check_task_subscription",
    "user.clear_avatar",
    "user.get_context",
    "user.get_day_off",
    "user.get_filter_group",
    "user.get_notification",
    "user.get_task_time_spent",
    "user.get_time_spents_by_date",
    "user.get_timespents_range",
    "user.is_authenticated",
    "user.join_chat",
    "user.leave_chat",
    "user.log_desktop_session_log_in",
    "user.mark_all_notifications_as_read",
    "user.new_filter",
    "user.new_filter_group",
    "user.remove_filter",
    "user.remove_filter_group",
    "user.subscribe_to_task",
    "user.unsubscribe_from_task",
    "user.update_filter",
    "user.update_filter_group",
    "user.update_notification",
    # person (40)
    "person.add_person_to_department",
    "person.all_departments",
    "person.all_organisations",
    "person.all_persons",
    "person.change_password_for_person",
    "person.clear_person_avatar",
    "person.disable_two_factor_authentication",
    "person.get_all_month_time_spents",
    "person.get_day_off",
    "person.get_day_offs",
    "person.get_department",
    "person.get_department_by_name",
    "person.get_month_day_offs",
    "person.get_organisation",
    "person.get_person",
    "person.get_person_by_desktop_login",
    "person.get_person_by_email",
    "person.get_person_by_full_name",
    "person.get_presence_log",
    "person.get_time_spents_by_date",
    "person.get_time_spents_range",
    "person.get_week_day_offs",
    "person.get_week_time_spents",
    "person.get_year_day_offs",
    "person.get_year_time_spents",
    "person.invite_person",
    "person.new_bot",
    "person.new_day_off",
    "person.new_department",
    "person.new_person",
    "person.remove_bot",
    "person.remove_day_off",
    "person.remove_department",
    "person.remove_person",
    "person.remove_person_from_department",
    "person.set_avatar",
    "person.update_bot",
    "person.update_day_off",
    "person.update_department",
    "person.update_person",
    # task (89)
    "task.acknowledge_comment",
    "task.add_attachment_files_to_comment",
    "task.add_comment",
    "task.add_extra_preview",
    "task.add_preview",
    "task.add_tasks_batch_comments",
    "task.add_time_spent",
    "task.all_assets_tasks_for_episode",
    "task.all_comments_for_project",
    "task.all_comments_for_task",
    "task.all_done_tasks_for_person",
    "task.all_notifications_for_project",
    "task.all_open_tasks",
    "task.all_previews_for_task",
    "task.all_shot_tasks_for_episode",
    "task.all_shot_tasks_for_sequence",
    "task.all_subscriptions_for_project",
    "task.all_task_statuses",
    "task.all_task_statuses_for_project",
    "task.all_task_types",
    "task.all_task_types_for_asset",
    "task.all_task_types_for_concept",
    "task.all_task_types_for_episode",
    "task.all_task_types_for_project",
    "task.all_task_types_for_scene",
    "task.all_task_types_for_sequence",
    "task.all_task_types_for_shot",
    "task.all_tasks_for_asset",
    "task.all_tasks_for_concept",
    "task.all_tasks_for_edit",
    "task.all_tasks_for_entity_and_task_type",
    "task.all_tasks_for_episode",
    "task.all_tasks_for_person",
    "task.all_tasks_for_person_and_type",
    "task.all_tasks_for_project",
    "task.all_tasks_for_scene",
    "task.all_tasks_for_sequence",
    "task.all_tasks_for_shot",
    "task.all_tasks_for_task_status",
    "task.all_tasks_for_task_type",
    "task.assign_task",
    "task.assign_tasks_to_person",
    "task.batch_comments",
    "task.clear_assignations",
    "task.create_asset_tasks",
    "task.create_concept_tasks",
    "task.create_edit_tasks",
    "task.create_entity_tasks",
    "task.create_extra_preview",
    "task.create_preview",
    "task.create_shot_tasks",
    "task.delete_comment_attachment",
    "task.delete_comment_reply",
    "task.get_comment",
    "task.get_default_task_status",
    "task.get_last_comment_for_task",
    "task.get_open_tasks_stats",
    "task.get_persons_tasks_dates",
    "task.get_task",
    "task.get_task_by_entity",
    "task.get_task_status",
    "task.get_task_status_by_name",
    "task.get_task_status_by_short_name",
    "task.get_task_time_spent_for_date",
    "task.get_task_type",
    "task.get_task_type_by_name",
    "task.get_task_type_by_short_name",
    "task.get_time_spent",
    "task.move_comment_to_task",
    "task.new_task",
    "task.new_task_status",
    "task.new_task_type",
    "task.publish_preview",
    "task.remove_comment",
    "task.remove_preview_from_comment",
    "task.remove_task",
    "task.remove_task_status",
    "task.remove_task_type",
    "task.remove_tasks_batch",
    "task.remove_tasks_for_type",
    "task.remove_time_spent",
    "task.reply_to_comment",
    "task.set_main_preview",
    "task.set_time_spent",
    "task.start_task",
    "task.update_comment",
    "task.update_task",
    "task.update_task_data",
    "task.update_task_status",
    "task.update_task_type",
    "task.upload_preview_file",
}

# What the real Zou 1.0.97 does not serve with these arguments (its own
# failures), measured with the stand-in; a 5xx listed in ZOU_OWN_ERRORS is
# tolerated on Zou only.
ZOU_OWN_ERRORS: set[str] = set()
ZOU_NOT_SERVED: set[str] = ZOU_OWN_ERRORS | {
    # 400 "Request body must be a JSON array.": gazu 1.3.1 sends the comments
    # as a multipart form ("comments" part), Zou 1.0.97 reads only a JSON
    # array body.
    "task.create_multiple_comments",
}

# 5xx answers of Fennec, reported and waiting for a fix; tolerated on Fennec
# only so that the suite stays green meanwhile.  Each one is a bug.
KNOWN_5XX: set[str] = set()

COVERAGE = Coverage(
    modules=MODULES,
    calls=CALLS,
    local_only=LOCAL_ONLY,
    destructive=DESTRUCTIVE,
    must_serve=MUST_SERVE_PEOPLE,
    groups={"previews (issue 14)": PREVIEWS},
    table_name="coverage_calls_people.CALLS",
)


def test_every_function_has_an_entry():
    check_entries(COVERAGE)
    listed = ZOU_NOT_SERVED | KNOWN_5XX
    assert listed <= set(CALLS), f"listed, but no call: {sorted(listed - set(CALLS))}"


def test_gazu_coverage_people(admin, fennec_server, tmp_path, capsys, request):
    admin.activate()
    world = World(tmp_path)
    started = time.monotonic()
    outcomes = run_all(COVERAGE, world)
    report = render(COVERAGE, outcomes, fennec_server.backend, time.monotonic() - started)

    (tmp_path / f"gazu-coverage-people-{fennec_server.backend}.txt").write_text(report + "\n")
    request.node.user_properties.append(("gazu_coverage_people", report))
    with capsys.disabled():
        print("\n" + report)

    found = problems(
        COVERAGE, outcomes, REFERENCE_IS_ZOU,
        zou_own_errors=ZOU_OWN_ERRORS, zou_not_served=ZOU_NOT_SERVED, known_5xx=KNOWN_5XX,
    )
    assert not found, "\n".join(found) + "\n\n" + report
