"""The argument table of ``test_gazu_coverage.py``: how to call every public
function of gazu's shot, asset, casting, scene, edit, concept, entity, context
and project modules on a small production.

* :class:`World` builds the production lazily through gazu (each object once;
  an object that cannot be made raises :class:`Blocked` for every call that
  needs it, so one missing route does not hide the others).
* ``CALLS``: ``"module.function" -> builder``; a builder takes the World and
  returns ``(args, kwargs)`` for the call.  Calls run in the table's order,
  then ``DESTRUCTIVE`` ones (also in table order), each on objects made for it.
* ``LOCAL_ONLY``: functions that make no HTTP call (``http_method`` "-" in the
  contract's ``gazu-api.tsv``), not called.
"""

from __future__ import annotations

import json

import gazu

from coverage_harness import LazyWorld, call
from support import ARTIST_PASSWORD, pick_task_types, unique

MODULES = ("shot", "asset", "casting", "scene", "edit", "concept", "entity", "context", "project")

# No HTTP call: they only format a URL from their arguments.
LOCAL_ONLY = {
    "project.get_project_url",
    "shot.get_all_episodes_url",
    "shot.get_all_sequences_url",
}


class World(LazyWorld):
    """The fixture production, built on first use."""

    # --- shared data ---------------------------------------------------

    @property
    def statuses(self):
        return self.once("task statuses", gazu.task.all_task_statuses)

    def status(self, short_name: str) -> dict:
        return next(s for s in self.statuses if s["short_name"] == short_name)

    @property
    def task_types(self):
        return self.once("task types", lambda: pick_task_types(gazu.task.all_task_types()))

    @property
    def modeling(self):
        return self.task_types[0]

    @property
    def animation(self):
        return self.task_types[1]

    @property
    def layout(self):
        return self.task_types[2]

    @property
    def extra_task_type(self):
        """A shot task type the project does not have yet."""
        def make():
            taken = {t["id"] for t in self.task_types}
            return next(
                t for t in gazu.task.all_task_types()
                if t["for_entity"] == "Shot" and t["id"] not in taken
            )
        return self.once("extra task type", make)

    @property
    def character(self):
        return self.once("Character", lambda: next(
            t for t in gazu.asset.all_asset_types() if t["name"] == "Character"))

    @property
    def prop(self):
        return self.once("Prop", lambda: next(
            t for t in gazu.asset.all_asset_types() if t["name"] == "Prop"))

    # --- the production ------------------------------------------------

    @property
    def project(self):
        return self.once("project", lambda: gazu.project.new_project(
            f"COV {self.tag}",
            production_type="tvshow",
            production_style="3d",
            asset_types=[self.character],
            task_statuses=self.statuses,
            task_types=self.task_types,
        ))

    @property
    def artist(self):
        def make():
            person = gazu.person.new_person(
                "Cov", f"Erage {self.tag}", f"cov.{self.tag}@example.com",
                role="user", desktop_login=f"cov{self.tag}", password=ARTIST_PASSWORD,
            )
            gazu.project.add_person_to_team(self.project, person)
            return person
        return self.once("artist", make)

    @property
    def episode(self):
        return self.once("episode", lambda: gazu.shot.new_episode(self.project, "E01"))

    @property
    def sequence(self):
        return self.once("sequence", lambda: gazu.shot.new_sequence(
            self.project, "E01_SQ010", episode=self.episode))

    @property
    def shot(self):
        return self.once("shot", lambda: gazu.shot.new_shot(
            self.project, self.sequence, "SH0010", nb_frames=48, frame_in=1001,
            frame_out=1048, description="coverage shot"))

    @property
    def shot2(self):
        return self.once("shot2", lambda: gazu.shot.new_shot(
            self.project, self.sequence, "SH0020", nb_frames=24))

    @property
    def asset(self):
        return self.once("asset", lambda: gazu.asset.new_asset(
            self.project, self.character, "Hero", description="main character",
            episode=self.episode))

    @property
    def asset2(self):
        return self.once("asset2", lambda: gazu.asset.new_asset(
            self.project, self.character, "Sidekick", episode=self.episode))

    @property
    def tasks(self):
        return self.once("tasks", lambda: (
            gazu.task.new_task(self.shot, self.animation),
            gazu.task.new_task(self.asset, self.modeling),
        ))

    @property
    def scene(self):
        return self.once("scene", lambda: gazu.scene.new_scene(
            self.project, self.sequence, "SC0010"))

    @property
    def edit(self):
        return self.once("edit", lambda: gazu.edit.new_edit(
            self.project, "EDIT01", description="coverage edit", episode=self.episode))

    @property
    def concept(self):
        return self.once("concept", lambda: gazu.concept.new_concept(
            self.project, "C01", description="coverage concept"))

    @property
    def asset_instance(self):
        return self.once("asset instance", lambda: gazu.scene.new_scene_asset_instance(
            self.scene, self.asset, description="coverage instance"))

    @property
    def descriptor(self):
        return self.once("metadata descriptor", lambda: gazu.project.add_metadata_descriptor(
            self.project, "Colour", "Asset", data_type="list", choices=["red", "blue"]))

    @property
    def budget(self):
        return self.once("budget", lambda: gazu.project.create_budget(
            self.project, "Main budget", description="coverage", currency="EUR",
            start_date="2025-01-01", end_date="2025-12-31", amount=100000))

    @property
    def department(self):
        return self.once("department", lambda: gazu.person.all_departments()[0])

    @property
    def budget_entry(self):
        return self.once("budget entry", lambda: self.new_budget_entry())

    def new_budget_entry(self):
        # gazu 1.3.1's create_budget_entry sends fields Zou 1.0.97 does not
        # take (it requires a department_id, and a start_date and a
        # months_duration): Zou's own body, posted directly.
        return gazu.client.post(
            f"data/projects/{self.project['id']}/budgets/{self.budget['id']}/entries",
            {"department_id": self.department["id"], "person_id": self.artist["id"],
             "start_date": "2025-02-01", "months_duration": 3, "daily_salary": 300.0,
             "position": "artist", "seniority": "mid"})

    @property
    def status_automation(self):
        return self.once("status automation", lambda: gazu.client.create("status-automations", {
            "entity_type": "asset",
            "in_task_type_id": self.modeling["id"],
            "in_task_status_id": self.status("done")["id"],
            "out_field_type": "status",
            "out_task_type_id": self.modeling["id"],
            "out_task_status_id": self.status("wip")["id"],
        }))

    @property
    def background_file(self):
        return self.once("preview background file", lambda: gazu.client.create(
            "preview-background-files", {"name": self.name("bg")}))

    @property
    def cast(self):
        """The asset cast in the shot (its entity link)."""
        return self.once("casting", lambda: gazu.casting.update_shot_casting(
            self.project, self.shot, [{"asset_id": self.asset["id"], "nb_occurences": 1}]))

    @property
    def entity_link(self):
        def make():
            self.cast  # noqa: B018 - makes the link
            links = gazu.casting.all_entity_links_for_project(self.project)
            if isinstance(links, dict):
                links = links.get("data", [])
            return next(
                link for link in links
                if link["entity_in_id"] == self.shot["id"]
                and link["entity_out_id"] == self.asset["id"]
            )
        return self.once("entity link", make)

    @property
    def spare_project(self):
        """A second project, closed by close_project, then removed."""
        return self.once("spare project", lambda: gazu.project.new_project(
            f"COV spare {self.tag}", production_type="short"))

    def fresh(self, key: str):
        """A new object per call (for the destructive calls)."""
        makers = {
            "shot": lambda: gazu.shot.new_shot(self.project, self.sequence, self.name("RM")),
            "asset": lambda: gazu.asset.new_asset(
                self.project, self.character, self.name("RM"), episode=self.episode),
            "sequence": lambda: gazu.shot.new_sequence(
                self.project, self.name("RMSQ"), episode=self.episode),
            "episode": lambda: gazu.shot.new_episode(self.project, self.name("RMEP")),
            "edit": lambda: gazu.edit.new_edit(self.project, self.name("RMEDIT")),
            "concept": lambda: gazu.concept.new_concept(self.project, self.name("RMC")),
            "asset_type": lambda: gazu.asset.new_asset_type(self.name("RM type")),
            "entity_type": lambda: gazu.entity.new_entity_type(self.name("RM etype")),
        }
        return self.once(f"fresh {key} {unique()}", makers[key])

    # --- files ------------------------------------------------------------

    def write(self, name: str, text: str) -> str:
        path = self.tmp / name
        path.write_text(text)
        return str(path)

    def shots_csv(self) -> str:
        return self.write("shots.csv", (
            "Episode,Sequence,Name,Description,Nb Frames,Frame In,Frame Out\n"
            "E01,E01_SQ010,CSV0010,from csv,24,1001,1024\n"
        ))

    def assets_csv(self) -> str:
        return self.write("assets.csv", (
            "Episode,Type,Name,Description\n"
            "E01,Character,CsvHero,from csv\n"
        ))

    def otio_file(self) -> str:
        def time(value):
            return {"OTIO_SCHEMA": "RationalTime.1", "rate": 24.0, "value": value}

        clip = {
            "OTIO_SCHEMA": "Clip.2",
            "name": "E01_SQ010-OTIO0010",
            "source_range": {"OTIO_SCHEMA": "TimeRange.1",
                             "start_time": time(0.0), "duration": time(24.0)},
            "media_references": {"DEFAULT_MEDIA": {"OTIO_SCHEMA": "MissingReference.1"}},
            "active_media_reference_key": "DEFAULT_MEDIA",
            "metadata": {}, "effects": [], "markers": [], "enabled": True,
        }
        track = {"OTIO_SCHEMA": "Track.1", "name": "V1", "kind": "Video",
                 "children": [clip], "metadata": {}, "effects": [], "markers": [],
                 "enabled": True, "source_range": None}
        timeline = {
            "OTIO_SCHEMA": "Timeline.1", "name": "coverage", "metadata": {},
            "global_start_time": None,
            "tracks": {"OTIO_SCHEMA": "Stack.1", "name": "tracks", "children": [track],
                       "metadata": {}, "effects": [], "markers": [], "enabled": True,
                       "source_range": None},
        }
        return self.write("cut.otio", json.dumps(timeline))


def _fresh_dict(getter, obj, **changes):
    current = getter(obj["id"])
    current.update(changes)
    return current


# --------------------------------------------------------------------------
# The table: "module.function" -> builder(world) -> (args, kwargs)
# --------------------------------------------------------------------------

CALLS = {
    # ---- project ---------------------------------------------------------
    "project.new_project": lambda w: call(w.spare_project["name"], production_type="short"),
    "project.all_projects": lambda w: call(),
    "project.all_open_projects": lambda w: call(),
    "project.all_project_status": lambda w: call(),
    "project.get_project": lambda w: call(w.project["id"]),
    "project.get_project_by_name": lambda w: call(w.project["name"]),
    "project.get_project_status_by_name": lambda w: call("Open"),
    "project.add_person_to_team": lambda w: call(w.project, w.artist, role="user"),
    "project.update_team_member_role": lambda w: call(w.project, w.artist, "supervisor"),
    "project.get_team": lambda w: call(w.project),
    "project.add_asset_type": lambda w: call(w.project, w.prop),
    "project.add_task_status": lambda w: call(w.project, w.status("wfa")),
    "project.add_task_type": lambda w: call(w.project, w.extra_task_type, 4),
    "project.get_project_task_statuses": lambda w: call(w.project),
    "project.get_project_task_types": lambda w: call(w.project),
    "project.update_project": lambda w: call(_fresh_dict(
        gazu.project.get_project, w.project, description="coverage project")),
    "project.update_project_data": lambda w: call(w.project, {"coverage": 1}),
    "project.get_milestones": lambda w: call(w.project),
    "project.get_project_quotas": lambda w: call(w.project, w.animation),
    "project.get_project_person_quotas": lambda w: call(w.project, w.artist),
    "project.add_metadata_descriptor": lambda w: call(
        w.project, "Difficulty", "Shot", data_type="string", for_client=False),
    "project.all_metadata_descriptors": lambda w: call(w.project),
    "project.get_metadata_descriptor": lambda w: call(w.project, w.descriptor["id"]),
    "project.get_metadata_descriptor_by_field_name": lambda w: call(
        w.project, w.descriptor["field_name"]),
    "project.update_metadata_descriptor": lambda w: call(
        w.project, {"id": w.descriptor["id"], "name": "Colour", "choices": ["red", "green"],
                    "departments": []}),
    "project.reorder_metadata_descriptors": lambda w: call(w.project, "Asset", [w.descriptor]),
    "project.add_status_automation": lambda w: call(
        w.project, {"status_automation_id": w.status_automation["id"]}),
    "project.all_status_automations": lambda w: call(w.project),
    "project.add_preview_background_file": lambda w: call(
        w.project, {"preview_background_file_id": w.background_file["id"]}),
    "project.get_preview_background_files": lambda w: call(w.project),
    "project.create_budget": lambda w: call(
        w.project, "Second budget", currency="USD", amount=5000),
    "project.get_budgets": lambda w: call(w.project),
    "project.get_budget": lambda w: call(w.project, w.budget),
    "project.update_budget": lambda w: call(w.project, w.budget, {"amount": 120000}),
    "project.create_budget_entry": lambda w: call(
        w.project, w.budget, "Licences", date="2025-03-01", amount=300, quantity=3,
        unit_price=100),
    "project.get_budget_entries": lambda w: call(w.project, w.budget),
    "project.get_budget_entry": lambda w: call(w.project, w.budget, w.budget_entry),
    "project.update_budget_entry": lambda w: call(
        # Zou 1.0.97 writes null into every field left out (500): all of them.
        w.project, w.budget, w.budget_entry, {
            key: w.budget_entry[key] for key in (
                "department_id", "person_id", "start_date", "months_duration",
                "position", "seniority")
        } | {"daily_salary": 320.0}),
    "project.close_project": lambda w: call(w.spare_project),

    # ---- shot ------------------------------------------------------------
    "shot.new_episode": lambda w: call(w.project, "E02"),
    "shot.new_sequence": lambda w: call(w.project, "E01_SQ020", episode=w.episode),
    "shot.new_shot": lambda w: call(
        w.project, w.sequence, "SH0030", nb_frames=12, frame_in=1, frame_out=12,
        description="third", data={"look": "dark"}),
    "shot.all_episodes_for_project": lambda w: call(w.project),
    "shot.all_sequences_for_project": lambda w: call(w.project),
    "shot.all_sequences_for_episode": lambda w: call(w.episode),
    "shot.all_shots_for_project": lambda w: call(w.project),
    "shot.all_shots_for_episode": lambda w: call(w.episode),
    "shot.all_shots_for_sequence": lambda w: call(w.sequence),
    "shot.get_episode": lambda w: call(w.episode["id"]),
    "shot.get_episode_by_name": lambda w: call(w.project, "E01"),
    "shot.get_sequence": lambda w: call(w.sequence["id"]),
    "shot.get_sequence_by_name": lambda w: call(w.project, "E01_SQ010", episode=w.episode),
    "shot.get_shot": lambda w: call(w.shot["id"]),
    "shot.get_shot_by_name": lambda w: call(w.sequence, "SH0010"),
    "shot.get_episode_from_sequence": lambda w: call(w.sequence),
    "shot.get_sequence_from_shot": lambda w: call(w.shot),
    "shot.get_episode_url": lambda w: call(w.episode),
    "shot.get_sequence_url": lambda w: call(w.sequence),
    "shot.get_shot_url": lambda w: call(w.shot),
    "shot.all_previews_for_shot": lambda w: call(w.shot),
    "shot.update_shot": lambda w: call(_fresh_dict(
        gazu.shot.get_shot, w.shot, description="updated shot")),
    "shot.update_shot_data": lambda w: call(w.shot, {"difficulty": "hard"}),
    "shot.update_sequence": lambda w: call(_fresh_dict(
        gazu.shot.get_sequence, w.sequence, description="updated sequence")),
    "shot.update_sequence_data": lambda w: call(w.sequence, {"mood": "calm"}),
    "shot.update_episode": lambda w: call(_fresh_dict(
        gazu.shot.get_episode, w.episode, description="updated episode")),
    "shot.update_episode_data": lambda w: call(w.episode, {"air_date": "2026"}),
    "shot.restore_shot": lambda w: call(w.shot2),
    "shot.add_asset_instance_to_shot": lambda w: call(w.shot, w.asset_instance),
    "shot.all_asset_instances_for_shot": lambda w: call(w.shot),
    "shot.get_asset_instances_for_shot": lambda w: call(w.shot),
    "shot.export_shots_with_csv": lambda w: call(w.project, str(w.tmp / "shots-out.csv")),
    "shot.import_shots_with_csv": lambda w: call(w.project, w.shots_csv()),
    "shot.import_otio": lambda w: call(
        w.project, w.otio_file(), episode=w.episode,
        naming_convention="${sequence_name}-${shot_name}"),

    # ---- asset -----------------------------------------------------------
    "asset.new_asset_type": lambda w: call(w.name("Vehicle")),
    "asset.new_asset": lambda w: call(
        w.project, w.character, "Villain", description="bad", extra_data={"tall": True},
        episode=w.episode),
    "asset.all_asset_types": lambda w: call(),
    "asset.all_asset_types_for_project": lambda w: call(w.project),
    "asset.all_asset_types_for_shot": lambda w: call(w.shot),
    "asset.all_assets_for_project": lambda w: call(w.project),
    "asset.all_assets_for_project_and_type": lambda w: call(w.project, w.character),
    "asset.all_assets_for_episode": lambda w: call(w.episode),
    "asset.all_assets_for_open_projects": lambda w: call(),
    "asset.all_assets_for_shot": lambda w: call(w.shot),
    "asset.get_asset": lambda w: call(w.asset["id"]),
    "asset.get_asset_by_name": lambda w: call(w.project, "Hero", asset_type=w.character),
    "asset.get_asset_type": lambda w: call(w.character["id"]),
    "asset.get_asset_type_by_name": lambda w: call("Character"),
    "asset.get_asset_type_from_asset": lambda w: call(w.asset),
    "asset.get_episode_from_asset": lambda w: call(w.asset),
    "asset.get_all_assets_url": lambda w: call(w.project),
    "asset.get_asset_type_url": lambda w: call(w.project, w.character),
    "asset.get_asset_url": lambda w: call(w.asset),
    # The whole dict of get_asset is refused by Zou 1.0.97 (400): the
    # changed fields only.
    "asset.update_asset": lambda w: call({"id": w.asset["id"], "description": "updated asset"}),
    "asset.update_asset_data": lambda w: call(w.asset, {"height": 180}),
    "asset.update_asset_type": lambda w: call(
        {"id": w.fresh("asset_type")["id"], "name": w.name("Renamed type")}),
    "asset.new_asset_asset_instance": lambda w: call(w.asset, w.asset2, description="inside"),
    "asset.all_asset_instances_for_asset": lambda w: call(w.asset),
    "asset.all_asset_instances_for_shot": lambda w: call(w.shot),
    "asset.all_scene_asset_instances_for_asset": lambda w: call(w.asset),
    "asset.all_shot_asset_instances_for_asset": lambda w: call(w.asset),
    "asset.get_asset_instance": lambda w: call(w.asset_instance["id"]),
    "asset.disable_asset_instance": lambda w: call(w.asset_instance),
    "asset.enable_asset_instance": lambda w: call(w.asset_instance),
    "asset.export_assets_with_csv": lambda w: call(w.project, str(w.tmp / "assets-out.csv")),
    "asset.import_assets_with_csv": lambda w: call(w.project, w.assets_csv()),

    # ---- scene -----------------------------------------------------------
    "scene.new_scene": lambda w: call(w.project, w.sequence, "SC0020"),
    "scene.all_scenes": lambda w: call(w.project),
    "scene.all_scenes_for_project": lambda w: call(w.project),
    "scene.all_scenes_for_sequence": lambda w: call(w.sequence),
    "scene.get_scene": lambda w: call(w.scene["id"]),
    "scene.get_scene_by_name": lambda w: call(w.sequence, "SC0010"),
    "scene.get_sequence_from_scene": lambda w: call(w.scene),
    "scene.update_scene": lambda w: call(_fresh_dict(
        gazu.scene.get_scene, w.scene, description="updated scene")),
    "scene.add_shot_to_scene": lambda w: call(w.scene, w.shot),
    "scene.all_shots_for_scene": lambda w: call(w.scene),
    "scene.new_scene_asset_instance": lambda w: call(w.scene, w.asset2, description="extra"),
    "scene.all_asset_instances_for_scene": lambda w: call(w.scene),
    "scene.all_camera_instances_for_scene": lambda w: call(w.scene),
    "scene.get_asset_instance_by_name": lambda w: call(w.scene, w.asset_instance["name"]),
    "scene.update_asset_instance_data": lambda w: call(w.asset_instance, {"variant": "b"}),
    "scene.update_asset_instance_name": lambda w: call(w.asset_instance, "hero_main"),

    # ---- casting ---------------------------------------------------------
    "casting.update_shot_casting": lambda w: call(
        w.project, w.shot2, [{"asset_id": w.asset["id"], "nb_occurences": 2}]),
    "casting.update_asset_casting": lambda w: call(
        w.project, w.asset, [{"asset_id": w.asset2["id"], "nb_occurences": 1}]),
    "casting.update_episode_casting": lambda w: call(
        w.project, w.episode, [{"asset_id": w.asset["id"], "nb_occurences": 1}]),
    "casting.cast_asset": lambda w: call(w.project, [w.shot], w.asset2, nb_occurences=3),
    "casting.uncast_asset": lambda w: call(w.project, [w.shot], w.asset2),
    "casting.get_shot_casting": lambda w: (w.try_(lambda: w.cast), call(w.shot))[1],
    "casting.get_asset_casting": lambda w: call(w.asset),
    "casting.get_episode_casting": lambda w: call(w.episode),
    "casting.get_sequence_casting": lambda w: call(w.sequence),
    "casting.get_asset_cast_in": lambda w: call(w.asset),
    "casting.get_asset_type_casting": lambda w: call(w.project, w.character),
    "casting.get_episodes_casting": lambda w: call(w.project),
    "casting.get_episode_shots_casting": lambda w: call(w.project, w.episode),
    "casting.get_sequence_shots_casting": lambda w: call(w.project, w.sequence),
    "casting.get_project_shots_casting": lambda w: call(w.project),
    "casting.all_entity_links_for_project": lambda w: call(w.project),

    # ---- edit ------------------------------------------------------------
    "edit.new_edit": lambda w: call(
        w.project, "EDIT02", description="second", data={"cut": 2}, episode=w.episode),
    "edit.all_edits_for_project": lambda w: call(w.project),
    "edit.get_edit": lambda w: call(w.edit["id"]),
    "edit.get_edit_by_name": lambda w: call(w.project, "EDIT01"),
    "edit.get_edit_url": lambda w: call(w.edit),
    "edit.all_previews_for_edit": lambda w: call(w.edit),
    "edit.update_edit": lambda w: call(_fresh_dict(
        gazu.edit.get_edit, w.edit, description="updated edit")),
    "edit.update_edit_data": lambda w: call(w.edit, {"version": 2}),

    # ---- concept ---------------------------------------------------------
    # gazu 1.3.1 sends entity_concept_links as ids; Zou 1.0.97 wants dicts
    # (400): none given.
    "concept.new_concept": lambda w: call(
        w.project, "C02", description="second", data={"style": "ink"}),
    "concept.all_concepts": lambda w: call(),
    "concept.all_concepts_for_project": lambda w: call(w.project),
    "concept.get_concept": lambda w: call(w.concept["id"]),
    "concept.get_concept_by_name": lambda w: call(w.project, "C01"),
    "concept.all_previews_for_concept": lambda w: call(w.concept),
    "concept.update_concept": lambda w: call(_fresh_dict(
        gazu.concept.get_concept, w.concept, description="updated concept")),

    # ---- entity ----------------------------------------------------------
    "entity.new_entity_type": lambda w: call(w.name("Set")),
    "entity.all_entities": lambda w: call(),
    "entity.all_entity_types": lambda w: call(),
    "entity.get_entity": lambda w: call(w.shot["id"]),
    "entity.get_entity_by_name": lambda w: call("SH0010", project=w.project),
    "entity.get_entity_type": lambda w: call(w.character["id"]),
    "entity.get_entity_type_by_name": lambda w: call("Character"),
    "entity.all_entities_with_tasks_linked_to_entity": lambda w: (
        w.tasks, w.try_(lambda: w.cast), call(w.shot))[2],
    # Zou reads the production's file tree (a 500 without one): one is set.
    "entity.guess_from_path": lambda w: (
        gazu.files.update_project_file_tree(w.project, {"working": {
            "mountpoint": "/prod", "root": "",
            "folder_path": {"shot": "<Project>/<Episode>/<Sequence>/<Shot>", "style": ""},
            "file_name": {"shot": "<Shot>", "style": ""}}}),
        call(w.project["id"], f"/prod/{w.project['name']}/E01/E01_SQ010/SH0010/anim.ma"))[1],

    # ---- context ---------------------------------------------------------
    "context.all_open_projects": lambda w: call(),
    "context.all_asset_types_for_project": lambda w: call(w.project),
    "context.all_assets_for_asset_type_and_project": lambda w: call(w.project, w.character),
    "context.all_assets_for_project": lambda w: call(w.project),
    "context.all_episodes_for_project": lambda w: call(w.project),
    "context.all_scenes_for_project": lambda w: call(w.project),
    "context.all_scenes_for_sequence": lambda w: call(w.sequence),
    "context.all_sequences_for_episode": lambda w: call(w.episode),
    "context.all_sequences_for_project": lambda w: call(w.project),
    "context.all_shots_for_sequence": lambda w: call(w.sequence),
    "context.all_task_types_for_asset": lambda w: (w.tasks, call(w.asset))[1],
    "context.all_task_types_for_scene": lambda w: call(w.scene),
    "context.all_task_types_for_sequence": lambda w: call(w.sequence),
    "context.all_task_types_for_shot": lambda w: (w.tasks, call(w.shot))[1],

    # ---- destructive: run last, on objects made for them -----------------
    "casting.delete_entity_link": lambda w: call(w.entity_link),
    "scene.remove_shot_from_scene": lambda w: call(w.scene, w.shot),
    "shot.remove_asset_instance_from_shot": lambda w: call(w.shot, w.asset_instance),
    "shot.remove_shot": lambda w: call(w.fresh("shot")),
    "shot.remove_sequence": lambda w: call(w.fresh("sequence")),
    "shot.remove_episode": lambda w: call(w.fresh("episode")),
    "asset.remove_asset": lambda w: call(w.fresh("asset")),
    "asset.remove_asset_type": lambda w: call(w.fresh("asset_type")),
    "edit.remove_edit": lambda w: call(w.fresh("edit")),
    "concept.remove_concept": lambda w: call(w.fresh("concept")),
    "entity.remove_entity": lambda w: call(w.fresh("asset")),
    "entity.remove_entities": lambda w: call(w.project, [w.fresh("shot"), w.fresh("asset")]),
    "entity.remove_entity_type": lambda w: call(w.fresh("entity_type")),
    "project.remove_metadata_descriptor": lambda w: call(w.project, w.once(
        "descriptor to remove", lambda: gazu.project.add_metadata_descriptor(
            w.project, "Temporary", "Shot"))),
    "project.remove_budget_entry": lambda w: call(w.project, w.budget, w.once(
        "entry to remove", lambda: w.new_budget_entry())),
    "project.remove_budget": lambda w: call(w.project, w.once(
        "budget to remove", lambda: gazu.project.create_budget(w.project, "Temporary"))),
    "project.remove_status_automation": lambda w: call(w.project, w.status_automation),
    "project.remove_preview_background_file": lambda w: call(w.project, w.background_file),
    "project.remove_task_type": lambda w: call(w.project, w.layout),
    "project.remove_task_status": lambda w: call(w.project, w.status("wfa")),
    "project.remove_person_from_team": lambda w: call(w.project, w.artist),
    "project.remove_project": lambda w: call(w.spare_project, force=True),
}

DESTRUCTIVE = {
    name for name in CALLS
    if name.split(".")[1].startswith(("remove_", "delete_"))
}
