"""Coverage of gazu 1.3.1 (issue 11): every public function of gazu's shot,
asset, casting, scene, edit, concept, entity, context and project modules is
called through the real gazu on a small tvshow production built in this
module (see ``coverage_calls.py``: the fixture ``World`` and the argument
table ``CALLS``).

Reading the output
------------------
The report is printed whatever pytest's capture setting (and written to
``gazu-coverage-<backend>.txt`` in pytest's temporary folder).  Per module it
gives ``served/total`` and then one line per function that was not served:

* ``served``        the call returned;
* ``route-missing`` gazu raised ``RouteNotFoundException`` (any 404: the
                    route, or an object the route looked up, was not found)
                    or ``MethodNotAllowedException`` (405); the request and
                    the first bytes of the answer are shown, so Zou's
                    unknown-route answer can be told from a missing object;
* ``server-error``  a 5xx answer (in the call or in preparing its arguments):
                    always fails the test;
* ``client-error``  another 4xx, or gazu failed on the answer: most often an
                    argument problem of the table (fix the table), else a
                    Fennec difference (compare with Zou);
* ``blocked``       an object the call needs could not be made (the call
                    that makes it failed; its error is shown).

``total`` counts the functions that make HTTP calls; ``LOCAL_ONLY`` ones
(URL formatting only, ``http_method`` "-" in the contract's gazu-api.tsv) are
listed as skipped.  Destructive calls (``remove_*``, ``delete_*``) run last,
each on objects made for it.

What fails
----------
* any 5xx answer (on the real Zou, its own known 500s in ``ZOU_OWN_ERRORS``
  are tolerated);
* a function of ``MUST_SERVE`` that is not ``served`` (a regression);
* a public function of these modules with no entry in ``CALLS`` or
  ``LOCAL_ONLY`` (a new gazu function cannot be silently ignored), or an
  entry naming a function gazu does not have.

Growing MUST_SERVE
------------------
When a route is implemented, run this module (``pytest
tests/gazu/test_gazu_coverage.py -q``), check that the function now shows
as served on both databases, and add its ``"module.function"`` name to
``MUST_SERVE`` below (kept sorted by module).  The report's last line lists
the functions that are served but not yet in ``MUST_SERVE``.  Never remove a
name to make the test pass: that is the regression this test exists to catch.

Validated against the real Zou 1.0.97 (``FENNEC_BIN=tests/gazu/zou_reference/fennec``,
see README.md): there 195 of the 197 functions are served; the two others
are Zou's own (``ZOU_NOT_SERVED``): gazu's ``create_budget_entry`` cannot
send the ``department_id`` Zou requires (400), and Zou has no GET on a
project's ``settings/task-types`` (405, ``get_project_task_types``).
``guess_from_path`` is called once the production has a file tree (Zou
answers 500 without one).  Where gazu 1.3.1
and Zou 1.0.97 disagree, the table follows Zou (see the comments in
``coverage_calls.py``: budget entries, ``update_asset``, ``new_concept``
without ``entity_concept_links``).
"""

from __future__ import annotations

import time

from coverage_calls import CALLS, DESTRUCTIVE, LOCAL_ONLY, MODULES, World
from coverage_harness import Coverage, check_entries, problems, render, run_all
from support import REFERENCE_IS_ZOU

# Functions Fennec serves today (measured on SQLite and PostgreSQL).  A
# function listed here that is not served fails the test.
MUST_SERVE = {
    # shot (38)
    "shot.add_asset_instance_to_shot",
    "shot.all_asset_instances_for_shot",
    "shot.all_episodes_for_project",
    "shot.all_previews_for_shot",
    "shot.all_sequences_for_episode",
    "shot.all_sequences_for_project",
    "shot.all_shots_for_episode",
    "shot.all_shots_for_project",
    "shot.all_shots_for_sequence",
    "shot.export_shots_with_csv",
    "shot.get_asset_instances_for_shot",
    "shot.get_episode",
    "shot.get_episode_by_name",
    "shot.get_episode_from_sequence",
    "shot.get_episode_url",
    "shot.get_sequence",
    "shot.get_sequence_by_name",
    "shot.get_sequence_from_shot",
    "shot.get_sequence_url",
    "shot.get_shot",
    "shot.get_shot_by_name",
    "shot.get_shot_url",
    "shot.import_otio",
    "shot.import_shots_with_csv",
    "shot.new_episode",
    "shot.new_sequence",
    "shot.new_shot",
    "shot.remove_asset_instance_from_shot",
    "shot.remove_episode",
    "shot.remove_sequence",
    "shot.remove_shot",
    "shot.restore_shot",
    "shot.update_episode",
    "shot.update_episode_data",
    "shot.update_sequence",
    "shot.update_sequence_data",
    "shot.update_shot",
    "shot.update_shot_data",
    # asset (34)
    "asset.all_assets_for_shot",
    "asset.all_asset_types_for_shot",
    "asset.all_asset_instances_for_asset",
    "asset.all_asset_instances_for_shot",
    "asset.all_asset_types",
    "asset.all_asset_types_for_project",
    "asset.all_assets_for_episode",
    "asset.all_assets_for_open_projects",
    "asset.all_assets_for_project",
    "asset.all_assets_for_project_and_type",
    "asset.all_scene_asset_instances_for_asset",
    "asset.all_shot_asset_instances_for_asset",
    "asset.disable_asset_instance",
    "asset.enable_asset_instance",
    "asset.export_assets_with_csv",
    "asset.get_all_assets_url",
    "asset.get_asset",
    "asset.get_asset_by_name",
    "asset.get_asset_instance",
    "asset.get_asset_type",
    "asset.get_asset_type_by_name",
    "asset.get_asset_type_from_asset",
    "asset.get_asset_type_url",
    "asset.get_asset_url",
    "asset.get_episode_from_asset",
    "asset.import_assets_with_csv",
    "asset.new_asset",
    "asset.new_asset_asset_instance",
    "asset.new_asset_type",
    "asset.remove_asset",
    "asset.remove_asset_type",
    "asset.update_asset",
    "asset.update_asset_data",
    "asset.update_asset_type",
    # casting (17)
    "casting.all_entity_links_for_project",
    "casting.cast_asset",
    "casting.delete_entity_link",
    "casting.get_asset_cast_in",
    "casting.get_asset_casting",
    "casting.get_asset_type_casting",
    "casting.get_episode_casting",
    "casting.get_episode_shots_casting",
    "casting.get_episodes_casting",
    "casting.get_project_shots_casting",
    "casting.get_sequence_casting",
    "casting.get_sequence_shots_casting",
    "casting.get_shot_casting",
    "casting.uncast_asset",
    "casting.update_asset_casting",
    "casting.update_episode_casting",
    "casting.update_shot_casting",
    # scene (16)
    "scene.get_scene_by_name",
    "scene.add_shot_to_scene",
    "scene.all_asset_instances_for_scene",
    "scene.all_camera_instances_for_scene",
    "scene.all_scenes",
    "scene.all_scenes_for_project",
    "scene.all_scenes_for_sequence",
    "scene.all_shots_for_scene",
    "scene.get_asset_instance_by_name",
    "scene.get_scene",
    "scene.get_sequence_from_scene",
    "scene.new_scene",
    "scene.new_scene_asset_instance",
    "scene.remove_shot_from_scene",
    "scene.update_asset_instance_data",
    "scene.update_asset_instance_name",
    "scene.update_scene",
    # edit (9)
    "edit.get_edit_url",
    "edit.all_edits_for_project",
    "edit.all_previews_for_edit",
    "edit.get_edit",
    "edit.get_edit_by_name",
    "edit.new_edit",
    "edit.remove_edit",
    "edit.update_edit",
    "edit.update_edit_data",
    # concept (8)
    "concept.all_concepts",
    "concept.all_concepts_for_project",
    "concept.all_previews_for_concept",
    "concept.get_concept",
    "concept.get_concept_by_name",
    "concept.new_concept",
    "concept.remove_concept",
    "concept.update_concept",
    # entity (11)
    "entity.all_entities",
    "entity.all_entities_with_tasks_linked_to_entity",
    "entity.all_entity_types",
    "entity.get_entity",
    "entity.get_entity_by_name",
    "entity.get_entity_type",
    "entity.get_entity_type_by_name",
    "entity.guess_from_path",
    "entity.new_entity_type",
    "entity.remove_entities",
    "entity.remove_entity",
    "entity.remove_entity_type",
    # context (12)
    "context.all_assets_for_asset_type_and_project",
    "context.all_asset_types_for_project",
    "context.all_assets_for_project",
    "context.all_episodes_for_project",
    "context.all_open_projects",
    "context.all_scenes_for_project",
    "context.all_scenes_for_sequence",
    "context.all_sequences_for_episode",
    "context.all_sequences_for_project",
    "context.all_shots_for_sequence",
    "context.all_task_types_for_asset",
    "context.all_task_types_for_scene",
    "context.all_task_types_for_sequence",
    "context.all_task_types_for_shot",
    # project (21)
    "project.add_asset_type",
    "project.add_person_to_team",
    "project.add_task_status",
    "project.add_task_type",
    "project.all_open_projects",
    "project.all_project_status",
    "project.all_projects",
    "project.close_project",
    "project.get_milestones",
    "project.get_project",
    "project.get_project_by_name",
    "project.get_project_person_quotas",
    "project.get_project_quotas",
    "project.get_project_status_by_name",
    "project.get_team",
    "project.new_project",
    "project.remove_person_from_team",
    "project.remove_project",
    "project.remove_task_status",
    "project.remove_task_type",
    "project.update_project",
    "project.update_project_data",
    "project.update_team_member_role",
    "project.add_metadata_descriptor",
    "project.add_preview_background_file",
    "project.add_status_automation",
    "project.all_metadata_descriptors",
    "project.all_status_automations",
    "project.create_budget",
    "project.get_budget",
    "project.get_budget_entries",
    "project.get_budget_entry",
    "project.get_budgets",
    "project.get_metadata_descriptor",
    "project.get_metadata_descriptor_by_field_name",
    "project.get_preview_background_files",
    "project.get_project_task_statuses",
    "project.remove_budget",
    "project.remove_budget_entry",
    "project.remove_metadata_descriptor",
    "project.remove_preview_background_file",
    "project.remove_status_automation",
    "project.reorder_metadata_descriptors",
    "project.update_budget",
    "project.update_budget_entry",
    "project.update_metadata_descriptor",
}

# What the real Zou 1.0.97 does not serve with these arguments (its own
# bugs), measured with the stand-in; a 5xx listed here is tolerated on Zou only.
ZOU_OWN_ERRORS: set[str] = set()
ZOU_NOT_SERVED = ZOU_OWN_ERRORS | {
    # 400 "department_id: Field required": gazu 1.3.1 cannot send one.
    "project.create_budget_entry",
    # 405: Zou 1.0.97 has no GET on /data/projects/{id}/settings/task-types.
    "project.get_project_task_types",
}


COVERAGE = Coverage(
    modules=MODULES,
    calls=CALLS,
    local_only=LOCAL_ONLY,
    destructive=DESTRUCTIVE,
    must_serve=MUST_SERVE,
)


def test_every_function_has_an_entry():
    check_entries(COVERAGE)
    assert ZOU_NOT_SERVED <= set(CALLS), f"listed, but no call: {sorted(ZOU_NOT_SERVED - set(CALLS))}"


def test_gazu_coverage(admin, fennec_server, tmp_path, capsys, request):
    admin.activate()
    world = World(tmp_path)
    started = time.monotonic()
    outcomes = run_all(COVERAGE, world)
    report = render(COVERAGE, outcomes, fennec_server.backend, time.monotonic() - started)

    (tmp_path / f"gazu-coverage-{fennec_server.backend}.txt").write_text(report + "\n")
    request.node.user_properties.append(("gazu_coverage", report))
    with capsys.disabled():
        print("\n" + report)

    found = problems(
        COVERAGE, outcomes, REFERENCE_IS_ZOU,
        zou_own_errors=ZOU_OWN_ERRORS, zou_not_served=ZOU_NOT_SERVED,
    )
    assert not found, "\n".join(found) + "\n\n" + report
