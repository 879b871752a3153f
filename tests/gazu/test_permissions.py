"""An artist (role "user", created with gazu.person.new_person and a
password, like recording 007) logs in with his own gazu client (recording
070) and is refused what only admins/managers may do."""

import gazu
import pytest

from shapes import assert_same_shape, load_recording, recorded_response
from support import ARTIST_PASSWORD, new_client, unique
from wire import assert_same_exchanges, record_call


@pytest.fixture(scope="module")
def artist_client(production, api_url):
    """A separate KitsuClient logged in as the production's artist; gazu's
    default client stays the admin's."""
    client = new_client(api_url)
    gazu.log_in(production.artist_email, ARTIST_PASSWORD, client=client)
    return client


def test_070_artist_log_in(production, api_url):
    """POST /api/auth/login as the artist -> 200, same shape as the admin's
    login (recording 070)."""
    recording = load_recording(70)
    client = new_client(api_url)
    call = record_call(gazu.log_in, production.artist_email, ARTIST_PASSWORD, client=client)
    # In the recorded run the artist had logged time (recordings 038-041)
    # before this login, which set ``last_presence`` to a date; ours has not.
    assert_same_exchanges(call, recording, nullable={"last_presence"})
    assert_same_shape(call.result, recorded_response(recording), nullable={"last_presence"})
    assert call.result["user"]["id"] == production.artist["id"]
    assert call.result["user"]["role"] == "user"


def test_artist_wrong_password(production, api_url):
    client = new_client(api_url)
    with pytest.raises(gazu.exception.AuthFailedException):
        gazu.log_in(production.artist_email, "not-the-password", client=client)


def test_artist_cannot_create_a_project(artist_client, gazu_admin):
    """new_project as an artist: the lookup GET passes, the POST is refused
    with 403, which gazu raises as NotAllowedException."""
    name = unique("Artist project ")
    with pytest.raises(gazu.exception.NotAllowedException) as raised:
        gazu.project.new_project(name, client=artist_client)
    assert "data/projects" in str(raised.value)
    # Nothing was created.
    assert gazu.project.get_project_by_name(name) is None


def test_artist_traffic_on_refused_project(artist_client, gazu_admin):
    """The same refusal seen on the wire: GET ?name -> 200 [], POST -> 403."""
    name = unique("Artist project ")
    with pytest.raises(gazu.exception.NotAllowedException) as raised:
        record_call(gazu.project.new_project, name, client=artist_client)
    exchanges = raised.value.exchanges
    assert [e.describe() for e in exchanges] == [
        "GET /api/data/projects?name -> 200",
        "POST /api/data/projects -> 403",
    ]
    assert exchanges[0].response == []


def test_artist_cannot_create_a_person(artist_client):
    with pytest.raises(gazu.exception.NotAllowedException):
        gazu.person.new_person(
            "Not", "Allowed", f"{unique('na')}@example.com", client=artist_client
        )


def test_artist_sees_his_team_project(production, artist_client):
    """The artist is in the project's team (recording 008), so it is among
    his open projects."""
    projects = gazu.project.all_open_projects(client=artist_client)
    assert production.project["id"] in [p["id"] for p in projects]
