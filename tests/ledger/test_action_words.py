"""Every action the hub records has its words in the one table that pages,
CSV downloads and the API read."""
import re
from pathlib import Path

from hub.ledger import actions
from tests.test_ledgered_actions import ACTIONS as LEDGERED

ROOT = Path(__file__).resolve().parents[2]


def recorded_in_code() -> set[str]:
    found = set()
    for path in [*ROOT.joinpath("hub").rglob("*.py"), *ROOT.joinpath("partners").rglob("*.py")]:
        text = path.read_text()
        found |= set(re.findall(r'record\(\s*"([a-z_]+(?:\.[a-z_]+)+)"', text))
        found |= set(re.findall(r'"([a-z_]+\.[a-z_]+)" if [^\n]+ else "([a-z_]+\.[a-z_]+)"', text) and
                     [a for pair in re.findall(r'"([a-z_]+\.[a-z_]+)" if [^\n]+ else "([a-z_]+\.[a-z_]+)"', text)
                      for a in pair])
    return found


def test_every_recorded_action_has_words():
    missing = sorted((recorded_in_code() | set(LEDGERED)) - set(actions.ACTIONS))
    assert missing == []
    assert all(words and description for words, description in actions.ACTIONS.values())


def attempted_in_code() -> set[str]:
    """The names of attempts that a refusal is recorded under."""
    found = set()
    for path in [*ROOT.joinpath("hub").rglob("*.py"), *ROOT.joinpath("partners").rglob("*.py")]:
        text = path.read_text()
        found |= set(re.findall(r'Refusal\(\s*"([a-z_]+(?:\.[a-z_]+)+)"', text))
        found |= set(re.findall(r'action="([a-z_]+(?:\.[a-z_]+)+)"', text))
        found |= set(re.findall(r'refuse\([^)]*?"([a-z_]+\.[a-z_]+)"', text))
    return found


def test_every_refused_attempt_has_words():
    assert sorted(attempted_in_code() - set(actions.ATTEMPTS)) == []
    assert actions.label("grant.request.refused") == "Refused: asking for partner access"
