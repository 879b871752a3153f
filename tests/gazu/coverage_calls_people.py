"""The argument table of ``test_gazu_coverage_people.py``: how to call every
public function of gazu's user, person and task modules on a small
production with people working on it.

* :class:`World` builds it lazily through gazu: an artist, a supervisor of
  the animation department and a bot; a tvshow project with the artist and
  the supervisor in its team; an episode, a sequence, shots, assets, a scene,
  an edit and a concept; tasks assigned to the artist, a comment waiting for
  feedback (which notifies the artist), a reply, time spents, a day off, a
  department, the admin's filters.  An object that cannot be made raises
  ``Blocked`` for every call that needs it.
* ``CALLS``: ``"module.function" -> builder(world) -> (args, kwargs)``.
  ``user.*`` calls about the caller's own work run as the artist (or, for
  the tasks waiting for the caller's feedback, as the supervisor), each
  logged in on a gazu client of its own passed as ``client=``; the others
  run as the admin on gazu's default client.  Calls run in the table's order,
  then ``DESTRUCTIVE`` ones (also in table order), each on objects made for
  it.
* ``PREVIEWS``: the preview, attachment and avatar functions, issue 14's;
  called with real files (a small PNG) but reported apart.
* ``LOCAL_ONLY``: functions that make no HTTP call (``http_method`` "-" in
  the contract's ``gazu-api.tsv``), not called.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import struct
import time
import zlib
from pathlib import Path

import gazu

from coverage_harness import Blocked, LazyWorld, call
from support import ARTIST_PASSWORD, pick_task_types, unique

MODULES = ("user", "person", "task")

# No HTTP call: they only format a URL from their arguments.
LOCAL_ONLY = {
    "person.get_person_url",
    "task.get_task_url",
}

# Issue 14's: previews, comment attachments and avatar pictures.
PREVIEWS = {
    "person.set_avatar",
    "task.add_attachment_files_to_comment",
    "task.add_extra_preview",
    "task.add_preview",
    "task.all_preview_files_for_project",
    "task.all_previews_for_task",
    "task.create_extra_preview",
    "task.create_preview",
    "task.delete_comment_attachment",
    "task.publish_preview",
    "task.remove_preview_from_comment",
    "task.set_main_preview",
    "task.upload_preview_file",
}

# The dates the fixture's work is logged on (a Monday in week 10 of 2025).
DAY = "2025-03-03"
DAY2 = "2025-03-04"
DAY3 = "2025-03-05"
DAY_OFF = "2025-03-10"
DAY_OFF_END = "2025-03-11"
YEAR, MONTH, WEEK = 2025, 3, 10


def png_bytes(width: int = 4, height: int = 4) -> bytes:
    """A small opaque RGB PNG, made with the standard library only."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    row = b"\x00" + b"\xd0\x60\x20" * width
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def totp_now(secret: str) -> str:
    """The current RFC 6238 code of a base32 secret (SHA-1, 6 digits, 30 s),
    as an authenticator app would show it."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


class World(LazyWorld):
    """The fixture production and its people, built on first use."""

    def clients(self) -> list:
        return [
            value for key, (ok, value) in self._made.items()
            if ok and key.endswith(" client")
        ]

    # --- shared data ---------------------------------------------------

    @property
    def statuses(self):
        return self.once("task statuses", gazu.task.all_task_statuses)

    def status(self, short_name: str) -> dict:
        return next(s for s in self.statuses if s["short_name"] == short_name)

    @property
    def all_task_types(self):
        return self.once("all task types", gazu.task.all_task_types)

    @property
    def task_types(self):
        return self.once("task types", lambda: pick_task_types(self.all_task_types))

    @property
    def modeling(self):
        return self.task_types[0]

    @property
    def animation(self):
        return self.task_types[1]

    @property
    def layout(self):
        return self.task_types[2]

    def task_type_for(self, for_entity: str) -> dict:
        return self.once(f"{for_entity} task type", lambda: next(
            t for t in self.all_task_types if t["for_entity"] == for_entity))

    @property
    def character(self):
        return self.once("Character", lambda: next(
            t for t in gazu.asset.all_asset_types() if t["name"] == "Character"))

    # --- people --------------------------------------------------------

    @property
    def department(self):
        return self.once("department", lambda: gazu.person.new_department(
            f"Coverage dept {self.tag}", color="#336699"))

    @property
    def animation_department(self):
        """The animation task type's department (the supervisor's)."""
        def make():
            department_id = self.animation.get("department_id")
            if department_id:
                return gazu.person.get_department(department_id)
            return self.department
        return self.once("animation department", make)

    def new_person(self, label: str, role: str, **extra) -> dict:
        tag = unique()
        return gazu.person.new_person(
            label, f"Coverage {tag}", f"{label.lower()}.{tag}@example.com",
            role=role, desktop_login=f"{label.lower()}{tag}", password=ARTIST_PASSWORD, **extra)

    @property
    def artist(self):
        def make():
            person = self.new_person("Artist", "user")
            gazu.project.add_person_to_team(self.project, person)
            return person
        return self.once("artist", make)

    @property
    def supervisor(self):
        def make():
            person = self.new_person(
                "Supervisor", "supervisor", departments=[self.animation_department])
            gazu.project.add_person_to_team(self.project, person)
            return person
        return self.once("supervisor", make)

    @property
    def bot(self):
        return self.once("bot", lambda: gazu.person.new_bot(
            f"Coverage bot {self.tag}", f"bot.{self.tag}@example.com"))

    def login(self, person: dict):
        client = gazu.client.create_client(gazu.client.get_host())
        gazu.log_in(person["email"], ARTIST_PASSWORD, client=client)
        return client

    @property
    def artist_client(self):
        return self.once("artist client", lambda: self.login(self.artist))

    @property
    def supervisor_client(self):
        return self.once("supervisor client", lambda: self.login(self.supervisor))

    def as_artist(self) -> dict:
        return {"client": self.artist_client}

    @property
    def person_with_2fa(self):
        """A person who turned on two-factor authentication (TOTP) on their
        own client, so that an admin can turn it off."""
        def make():
            person = self.new_person("Secure", "user")
            client = self.once("secure client", lambda: self.login(person))
            secret = gazu.client.put("auth/totp", {}, client=client)["otp_secret"]
            gazu.client.post("auth/totp", {"totp": totp_now(secret)}, client=client)
            return person
        return self.once("person with 2FA", make)

    # --- the production ------------------------------------------------

    @property
    def project(self):
        return self.once("project", lambda: gazu.project.new_project(
            f"PEOPLE {self.tag}",
            production_type="tvshow",
            production_style="3d",
            asset_types=[self.character],
            task_statuses=self.statuses,
            task_types=self.task_types + [
                self.task_type_for("Concept"), self.task_type_for("Edit")],
        ))

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
            self.project, self.sequence, "SH0010", nb_frames=48))

    @property
    def shot2(self):
        return self.once("shot2", lambda: gazu.shot.new_shot(
            self.project, self.sequence, "SH0020", nb_frames=24))

    @property
    def asset(self):
        return self.once("asset", lambda: gazu.asset.new_asset(
            self.project, self.character, "Hero", episode=self.episode))

    @property
    def asset2(self):
        return self.once("asset2", lambda: gazu.asset.new_asset(
            self.project, self.character, "Sidekick", episode=self.episode))

    @property
    def scene(self):
        return self.once("scene", lambda: gazu.scene.new_scene(
            self.project, self.sequence, "SC0010"))

    @property
    def edit(self):
        return self.once("edit", lambda: gazu.edit.new_edit(
            self.project, "EDIT01", episode=self.episode))

    @property
    def concept(self):
        return self.once("concept", lambda: gazu.concept.new_concept(self.project, "C01"))

    # --- work ----------------------------------------------------------

    def assigned_task(self, key: str, entity, task_type, **planned) -> dict:
        def make():
            task = gazu.task.new_task(entity, task_type)
            gazu.task.assign_task(task, self.artist)
            if planned:
                task = gazu.task.update_task({"id": task["id"], **planned})
            return task
        return self.once(key, make)

    @property
    def shot_task(self):
        """The artist's animation task on the shot, planned over two weeks,
        waiting for feedback."""
        return self.assigned_task(
            "shot task", self.shot, self.animation,
            start_date="2025-03-03", due_date="2025-03-14", estimation=4800)

    @property
    def asset_task(self):
        return self.assigned_task("asset task", self.asset, self.modeling)

    @property
    def layout_task(self):
        """A second task of the shot (where comments are moved to)."""
        return self.once("layout task", lambda: gazu.task.new_task(self.shot, self.layout))

    @property
    def comment(self):
        """The admin's request for feedback on the artist's task: the artist
        is notified, the supervisor has a task to check."""
        return self.once("comment", lambda: gazu.task.add_comment(
            self.shot_task, self.status("wfa"), "Ready for review, @Artist"))

    @property
    def reply(self):
        return self.once("reply", lambda: gazu.task.reply_to_comment(
            self.shot_task, self.comment, "Looks good"))

    @property
    def time_spent(self):
        return self.once("time spent", lambda: gazu.task.set_time_spent(
            self.shot_task, self.artist, DAY, 120))

    @property
    def day_off(self):
        return self.once("day off", lambda: gazu.person.new_day_off(
            self.artist, DAY_OFF, DAY_OFF_END, description="coverage"))

    @property
    def notification(self):
        def make():
            self.comment  # noqa: B018 - notifies the artist
            notifications = gazu.user.all_notifications(client=self.artist_client)
            if not notifications:
                raise Blocked("the artist has no notification after a comment on their task")
            return notifications[0]
        return self.once("notification", make)

    @property
    def filter(self):
        return self.once("filter", lambda: gazu.user.new_filter(
            "Heroes", "hero", "asset", project=self.project, entity_type="Asset"))

    @property
    def filter_group(self):
        return self.once("filter group", lambda: gazu.user.new_filter_group(
            "Mine", project=self.project))

    # --- files ------------------------------------------------------------

    @property
    def png(self) -> str:
        def make():
            path = self.tmp / "picture.png"
            path.write_bytes(png_bytes())
            return str(path)
        return self.once("png", make)

    def png_copy(self, name: str) -> str:
        path = self.tmp / name
        path.write_bytes(png_bytes())
        return str(path)

    @property
    def preview_comment(self):
        return self.once("preview comment", lambda: gazu.task.add_comment(
            self.shot_task, self.status("wip"), "a preview"))

    @property
    def preview(self):
        return self.once("preview", lambda: gazu.task.add_preview(
            self.shot_task, self.preview_comment, preview_file_path=self.png))

    @property
    def attachment_comment(self):
        return self.once("attachment comment", lambda: gazu.task.add_comment(
            self.shot_task, self.status("wip"), "with a picture",
            attachments=[self.png_copy("attached.png")]))

    # --- objects made for one call ----------------------------------------

    def fresh(self, key: str):
        makers = {
            "person": lambda: self.new_person("Temp", "user"),
            "bot": lambda: gazu.person.new_bot(self.name("Temp bot"), f"{self.name('bot')}@example.com"),
            "department": lambda: gazu.person.new_department(self.name("Temp dept")),
            "day off": lambda: gazu.person.new_day_off(self.artist, "2025-04-07", "2025-04-07"),
            "filter": lambda: gazu.user.new_filter(self.name("temp"), "temp", "asset"),
            "filter group": lambda: gazu.user.new_filter_group(self.name("temp")),
            "task status": lambda: gazu.task.new_task_status(
                self.name("Temp status"), unique("t")[:8], "#112233"),
            "task type": lambda: gazu.task.new_task_type(self.name("Temp type"), for_entity="Shot"),
            "shot task": lambda: gazu.task.new_task(self.shot2, self.animation, name=self.name("rm")),
            "comment": lambda: gazu.task.add_comment(self.shot_task, self.status("wip"), "to remove"),
            "time spent": lambda: gazu.task.set_time_spent(self.shot_task, self.artist, DAY3, 15),
        }
        return self.once(f"fresh {key} {unique()}", makers[key])

    def assigned_fresh_task(self):
        def make():
            task = gazu.task.new_task(self.shot2, self.animation, name=self.name("unassign"))
            gazu.task.assign_task(task, self.artist)
            return task
        return self.once(f"assigned task {unique()}", make)


def _fresh_dict(getter, obj, **changes):
    current = getter(obj["id"])
    current.update(changes)
    return current


# --------------------------------------------------------------------------
# The table: "module.function" -> builder(world) -> (args, kwargs)
# --------------------------------------------------------------------------

CALLS = {
    # ---- person ----------------------------------------------------------
    "person.all_departments": lambda w: call(),
    "person.all_organisations": lambda w: call(),
    "person.all_persons": lambda w: call(),
    "person.new_department": lambda w: call(w.name("Lighting"), color="#ffaa00"),
    "person.get_department": lambda w: call(w.department["id"]),
    "person.get_department_by_name": lambda w: call(w.department["name"]),
    "person.update_department": lambda w: call(
        {"id": w.department["id"], "name": w.department["name"], "color": "#224466"}),
    "person.new_person": lambda w: call(
        "New", f"Hire {w.tag}", f"new.hire.{w.tag}@example.com", phone="0102030405",
        role="user", desktop_login=f"newhire{w.tag}", departments=[w.department],
        password=ARTIST_PASSWORD),
    "person.get_person": lambda w: call(w.artist["id"], relations=True),
    "person.get_person_by_desktop_login": lambda w: call(w.artist["desktop_login"]),
    "person.get_person_by_email": lambda w: call(w.artist["email"]),
    "person.get_person_by_full_name": lambda w: call(
        f"{w.artist['first_name']} {w.artist['last_name']}"),
    "person.update_person": lambda w: call({"id": w.artist["id"], "phone": "0600000000"}),
    "person.get_organisation": lambda w: call(),
    "person.new_bot": lambda w: call(f"Render bot {w.tag}", f"render.bot.{w.tag}@example.com"),
    "person.update_bot": lambda w: call({"id": w.bot["id"], "first_name": "Renamed bot"}),
    "person.add_person_to_department": lambda w: call(w.artist, w.department),
    "person.change_password_for_person": lambda w: call(w.fresh("person"), "An0ther-secret-pw"),
    "person.invite_person": lambda w: call(w.artist),
    "person.disable_two_factor_authentication": lambda w: call(w.person_with_2fa),
    "person.set_avatar": lambda w: call(w.supervisor, w.png),
    "person.clear_person_avatar": lambda w: call(w.supervisor),
    "person.get_presence_log": lambda w: call(YEAR, MONTH),
    "person.get_time_spents_range": lambda w: (
        w.time_spent, call(w.artist["id"], "2025-03-01", "2025-03-31"))[1],
    "person.get_all_month_time_spents": lambda w: (
        w.time_spent, call(w.artist["id"], datetime.date(YEAR, MONTH, 1)))[1],
    "person.get_time_spents_by_date": lambda w: (w.time_spent, call(w.artist, DAY))[1],
    "person.get_week_time_spents": lambda w: (w.time_spent, call(w.artist, YEAR, WEEK))[1],
    "person.get_year_time_spents": lambda w: (w.time_spent, call(w.artist, YEAR))[1],
    "person.new_day_off": lambda w: call(w.artist, "2025-03-20", "2025-03-21", description="leave"),
    "person.get_day_off": lambda w: call(w.day_off["id"]),
    "person.get_day_offs": lambda w: (w.day_off, call(w.artist))[1],
    "person.get_week_day_offs": lambda w: (w.day_off, call(w.artist, YEAR, WEEK + 1))[1],
    "person.get_month_day_offs": lambda w: (w.day_off, call(w.artist, YEAR, MONTH))[1],
    "person.get_year_day_offs": lambda w: (w.day_off, call(w.artist, YEAR))[1],
    "person.update_day_off": lambda w: call(
        {"id": w.day_off["id"], "description": "moved", "date": DAY_OFF, "end_date": DAY_OFF_END}),

    # ---- task: types and statuses ------------------------------------------
    "task.all_task_statuses": lambda w: call(),
    "task.all_task_types": lambda w: call(),
    "task.get_default_task_status": lambda w: call(),
    "task.get_task_status": lambda w: call(w.status("wip")["id"]),
    "task.get_task_status_by_name": lambda w: call(w.status("wip")["name"]),
    "task.get_task_status_by_short_name": lambda w: call("wip"),
    "task.get_task_type": lambda w: call(w.animation["id"]),
    "task.get_task_type_by_name": lambda w: call("Animation", for_entity="Shot"),
    "task.get_task_type_by_short_name": lambda w: call(
        w.animation["short_name"], for_entity="Shot"),
    "task.new_task_status": lambda w: call(w.name("Approved"), unique("ap")[:8], "#00FF00"),
    "task.new_task_type": lambda w: call(w.name("Grooming"), "#aa00aa", for_entity="Asset"),
    "task.update_task_status": lambda w: call(
        {"id": w.fresh("task status")["id"], "color": "#445566"}),
    "task.update_task_type": lambda w: call(
        {"id": w.fresh("task type")["id"], "color": "#665544"}),
    "task.all_task_statuses_for_project": lambda w: call(w.project),

    # ---- task: tasks -------------------------------------------------------
    "task.new_task": lambda w: call(w.shot, w.layout, name="second"),
    "task.get_task": lambda w: call(w.shot_task["id"]),
    "task.get_task_by_entity": lambda w: (w.shot_task, call(w.shot, w.animation))[1],
    "task.update_task": lambda w: call({"id": w.shot_task["id"], "estimation": 960}),
    "task.update_task_data": lambda w: call(w.shot_task, {"difficulty": "hard"}),
    "task.all_tasks_for_shot": lambda w: (w.shot_task, call(w.shot, relations=True))[1],
    "task.all_tasks_for_asset": lambda w: (w.asset_task, call(w.asset, relations=True))[1],
    "task.all_tasks_for_sequence": lambda w: call(w.sequence),
    "task.all_tasks_for_scene": lambda w: call(w.scene),
    "task.all_tasks_for_episode": lambda w: call(w.episode),
    "task.all_tasks_for_edit": lambda w: call(w.edit),
    "task.all_tasks_for_concept": lambda w: call(w.concept),
    "task.all_shot_tasks_for_sequence": lambda w: (w.shot_task, call(w.sequence, relations=True))[1],
    "task.all_shot_tasks_for_episode": lambda w: (w.shot_task, call(w.episode))[1],
    "task.all_assets_tasks_for_episode": lambda w: (w.asset_task, call(w.episode))[1],
    "task.all_tasks_for_task_status": lambda w: (
        w.shot_task, call(w.project, w.animation, w.status("todo")))[1],
    "task.all_tasks_for_task_type": lambda w: (
        w.shot_task, call(w.project, w.animation, episode=w.episode))[1],
    "task.all_tasks_for_project": lambda w: (
        w.shot_task, call(w.project, task_type=w.animation, episode=w.episode))[1],
    "task.all_tasks_for_entity_and_task_type": lambda w: (
        w.shot_task, call(w.shot, w.animation))[1],
    "task.all_tasks_for_person": lambda w: (w.shot_task, call(w.artist))[1],
    "task.all_done_tasks_for_person": lambda w: call(w.artist),
    "task.all_tasks_for_person_and_type": lambda w: (w.shot_task, call(w.artist, w.animation))[1],
    "task.all_task_types_for_project": lambda w: (w.shot_task, call(w.project))[1],
    "task.all_task_types_for_shot": lambda w: (w.shot_task, call(w.shot))[1],
    "task.all_task_types_for_asset": lambda w: (w.asset_task, call(w.asset))[1],
    "task.all_task_types_for_scene": lambda w: call(w.scene),
    "task.all_task_types_for_sequence": lambda w: call(w.sequence),
    "task.all_task_types_for_episode": lambda w: call(w.episode),
    "task.all_task_types_for_concept": lambda w: call(w.concept),
    "task.create_shot_tasks": lambda w: call(w.shot2, [w.animation]),
    "task.create_asset_tasks": lambda w: call(w.asset2, [w.modeling]),
    "task.create_edit_tasks": lambda w: call(w.edit, [w.task_type_for("Edit")]),
    "task.create_concept_tasks": lambda w: call(w.concept, [w.task_type_for("Concept")]),
    "task.create_entity_tasks": lambda w: call(w.shot2, [w.layout]),
    "task.assign_task": lambda w: call(w.asset_task, w.artist),
    "task.assign_tasks_to_person": lambda w: call([w.shot_task, w.asset_task], w.artist),
    "task.clear_assignations": lambda w: call([w.assigned_fresh_task()], person=w.artist),
    "task.start_task": lambda w: call(w.asset_task),
    "task.all_open_tasks": lambda w: (w.shot_task, call())[1],
    "task.get_open_tasks_stats": lambda w: (w.shot_task, call())[1],
    "task.get_persons_tasks_dates": lambda w: (w.shot_task, call())[1],

    # ---- task: time spents --------------------------------------------------
    "task.set_time_spent": lambda w: call(w.shot_task, w.artist, DAY, 120),
    "task.add_time_spent": lambda w: call(w.shot_task, w.artist, DAY2, 30),
    "task.get_time_spent": lambda w: (w.time_spent, call(w.shot_task, DAY))[1],
    "task.get_task_time_spent_for_date": lambda w: (w.time_spent, call(w.shot_task, DAY))[1],

    # ---- task: comments ------------------------------------------------------
    # With a file, gazu sends add_comment as multipart.
    "task.add_comment": lambda w: call(
        w.shot_task, w.status("wip"), "with an attachment", checklist=[{"text": "hair", "checked": False}],
        attachments=[w.png_copy("comment.png")]),
    "task.get_comment": lambda w: call(w.comment["id"]),
    "task.all_comments_for_task": lambda w: (w.comment, call(w.shot_task))[1],
    "task.get_last_comment_for_task": lambda w: (w.comment, call(w.shot_task))[1],
    "task.all_comments_for_project": lambda w: (w.comment, call(w.project))[1],
    "task.update_comment": lambda w: call({"id": w.comment["id"], "text": "Ready for review (edited)"}),
    "task.acknowledge_comment": lambda w: call(w.shot_task, w.comment),
    "task.reply_to_comment": lambda w: call(w.shot_task, w.comment, "On it", person=w.artist),
    "task.move_comment_to_task": lambda w: call(
        w.shot_task, w.fresh("comment"), w.layout_task),
    "task.add_tasks_batch_comments": lambda w: call(
        [w.shot_task, w.asset_task], {"task_status_id": w.status("wip")["id"], "text": "batch"}),
    "task.batch_comments": lambda w: call(
        [{"task_status_id": w.status("wip")["id"], "text": "batched",
          "attachment_files": [w.png_copy("batched.png")]}],
        task=w.shot_task),
    "task.create_multiple_comments": lambda w: call(w.project, [
        {"object_id": w.asset_task["id"], "task_status_id": w.status("wip")["id"],
         "comment": "many"}]),
    "task.all_notifications_for_project": lambda w: (w.comment, call(w.project))[1],
    "task.all_subscriptions_for_project": lambda w: call(w.project),

    # ---- task: previews and attachments (issue 14) ---------------------------
    "task.create_preview": lambda w: call(w.shot_task, w.preview_comment),
    "task.upload_preview_file": lambda w: call(
        w.once("preview to upload", lambda: gazu.task.create_preview(
            w.shot_task, w.preview_comment)),
        w.png),
    "task.add_preview": lambda w: call(w.shot_task, w.preview_comment, preview_file_path=w.png),
    "task.publish_preview": lambda w: call(
        w.asset_task, w.status("wip"), "published", preview_file_path=w.png),
    "task.set_main_preview": lambda w: call(w.preview),
    "task.create_extra_preview": lambda w: call(w.shot_task, w.preview_comment, w.preview),
    "task.add_extra_preview": lambda w: call(
        w.shot_task, w.preview_comment, w.preview, preview_file_path=w.png),
    "task.all_previews_for_task": lambda w: (w.try_(lambda: w.preview), call(w.shot_task))[1],
    "task.all_preview_files_for_project": lambda w: (w.try_(lambda: w.preview), call(w.project))[1],
    "task.add_attachment_files_to_comment": lambda w: call(
        w.shot_task, w.comment, [w.png_copy("extra.png")]),

    # ---- user (the artist's own work, on the artist's client) ---------------
    "user.is_authenticated": lambda w: call(**w.as_artist()),
    "user.get_context": lambda w: call(**w.as_artist()),
    "user.all_open_projects": lambda w: (w.shot_task, call(**w.as_artist()))[1],
    "user.all_asset_types_for_project": lambda w: (
        w.asset_task, call(w.project, **w.as_artist()))[1],
    "user.all_assets_for_asset_type_and_project": lambda w: (
        w.asset_task, call(w.project, w.character, **w.as_artist()))[1],
    "user.all_episodes_for_project": lambda w: (w.shot_task, call(w.project, **w.as_artist()))[1],
    "user.all_sequences_for_project": lambda w: (w.shot_task, call(w.project, **w.as_artist()))[1],
    "user.all_shots_for_sequence": lambda w: (w.shot_task, call(w.sequence, **w.as_artist()))[1],
    "user.all_scenes_for_sequence": lambda w: (w.shot_task, call(w.sequence, **w.as_artist()))[1],
    "user.all_tasks_for_shot": lambda w: (w.shot_task, call(w.shot, **w.as_artist()))[1],
    "user.all_tasks_for_asset": lambda w: (w.asset_task, call(w.asset, **w.as_artist()))[1],
    "user.all_tasks_for_scene": lambda w: (w.shot_task, call(w.scene, **w.as_artist()))[1],
    "user.all_tasks_for_sequence": lambda w: (w.shot_task, call(w.sequence, **w.as_artist()))[1],
    "user.all_task_types_for_shot": lambda w: (w.shot_task, call(w.shot, **w.as_artist()))[1],
    "user.all_task_types_for_asset": lambda w: (w.asset_task, call(w.asset, **w.as_artist()))[1],
    "user.all_task_types_for_scene": lambda w: (w.shot_task, call(w.scene, **w.as_artist()))[1],
    "user.all_task_types_for_sequence": lambda w: (
        w.shot_task, call(w.sequence, **w.as_artist()))[1],
    "user.all_tasks_to_do": lambda w: (w.shot_task, call(**w.as_artist()))[1],
    "user.all_done_tasks": lambda w: (w.shot_task, call(**w.as_artist()))[1],
    # My Checks: the supervisor of the animation department.
    "user.all_tasks_requiring_feedback": lambda w: (
        w.comment, call(client=w.supervisor_client))[1],
    "user.get_timespents_range": lambda w: (
        w.time_spent, call("2025-03-01", "2025-03-31", **w.as_artist()))[1],
    "user.get_time_spents_by_date": lambda w: (w.time_spent, call(DAY, **w.as_artist()))[1],
    "user.get_task_time_spent": lambda w: (
        w.time_spent, call(w.shot_task, DAY, **w.as_artist()))[1],
    "user.get_day_off": lambda w: (w.day_off, call(DAY_OFF, **w.as_artist()))[1],
    "user.log_desktop_session_log_in": lambda w: call(**w.as_artist()),
    "user.all_desktop_login_logs": lambda w: call(**w.as_artist()),
    "user.all_notifications": lambda w: (w.comment, call(**w.as_artist()))[1],
    "user.get_notification": lambda w: call(w.notification, **w.as_artist()),
    "user.update_notification": lambda w: call(
        {"id": w.notification["id"], "read": True}, **w.as_artist()),
    "user.mark_all_notifications_as_read": lambda w: (w.comment, call(**w.as_artist()))[1],
    "user.check_task_subscription": lambda w: call(w.shot_task, **w.as_artist()),
    "user.subscribe_to_task": lambda w: call(w.asset_task, **w.as_artist()),
    "user.unsubscribe_from_task": lambda w: call(w.asset_task, **w.as_artist()),
    # A chat is an entity's: gazu sends the given object's id.
    "user.join_chat": lambda w: call(w.shot, **w.as_artist()),
    "user.all_chats": lambda w: call(**w.as_artist()),
    "user.leave_chat": lambda w: call(w.shot, **w.as_artist()),
    "user.clear_avatar": lambda w: call(**w.as_artist()),
    # ---- user (the admin's filters, on gazu's default client) --------------
    "user.new_filter": lambda w: call(
        "Villains", "villain", "asset", project=w.project, entity_type="Asset"),
    "user.all_filters": lambda w: (w.filter, call())[1],
    "user.update_filter": lambda w: call({"id": w.filter["id"], "name": "Heroes only"}),
    "user.new_filter_group": lambda w: call("Reviews", project=w.project),
    "user.all_filter_groups": lambda w: (w.filter_group, call())[1],
    "user.get_filter_group": lambda w: call(w.filter_group),
    "user.update_filter_group": lambda w: call({"id": w.filter_group["id"], "name": "Mine too"}),

    # ---- destructive: run last, on objects made for them -------------------
    "user.remove_filter": lambda w: call(w.fresh("filter")),
    "user.remove_filter_group": lambda w: call(w.fresh("filter group")),
    "person.remove_person_from_department": lambda w: call(w.once(
        "a department's member", lambda: (
            gazu.person.add_person_to_department(w.artist, w.department), w.artist)[1]),
        w.department),
    "person.remove_day_off": lambda w: call(w.fresh("day off")),
    "person.remove_bot": lambda w: call(w.fresh("bot")),
    "person.remove_person": lambda w: call(w.fresh("person")),
    "person.remove_department": lambda w: call(w.fresh("department")),
    "task.delete_comment_reply": lambda w: call(w.shot_task, w.comment, w.reply),
    "task.delete_comment_attachment": lambda w: call(
        w.shot_task, w.attachment_comment, w.once(
            "attachment", lambda: w.attachment_comment["attachment_files"][0])),
    "task.remove_preview_from_comment": lambda w: call(
        w.shot_task, w.preview_comment, w.once("preview to remove", lambda: gazu.task.add_preview(
            w.shot_task, w.preview_comment, preview_file_path=w.png))),
    "task.remove_comment": lambda w: call(w.fresh("comment")),
    "task.remove_time_spent": lambda w: call(w.fresh("time spent")),
    "task.remove_task": lambda w: call(w.fresh("shot task")),
    "task.remove_tasks_batch": lambda w: call(w.project, [w.fresh("shot task"), w.fresh("shot task")]),
    "task.remove_task_status": lambda w: call(w.fresh("task status")),
    "task.remove_task_type": lambda w: call(w.fresh("task type")),
    # Every layout task of the project.
    "task.remove_tasks_for_type": lambda w: (
        w.try_(lambda: w.layout_task), call(w.project, w.layout))[1],
}

DESTRUCTIVE = {
    name for name in CALLS
    if name.split(".")[1].startswith(("remove_", "delete_"))
}
