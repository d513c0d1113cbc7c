"""venues.yaml and Venues.resolve: the one way any command turns a venue string into a canonical venue."""

import pytest
from conftest import REPO

from effdiff_catalog.venues import KINDS, Venues

VENUES = Venues.load(REPO / "venues.yaml")


def test_required_venues_and_kinds():
    for name in "NeurIPS ICLR ICML CVPR CVPRW ICCV ECCV AAAI UAI JMLR TMLR TPAMI ACL NAACL EMNLP MLSys NSDI FPL ISCAS arXiv".split():
        assert name in VENUES
    assert VENUES["CVPRW"].kind == "workshop" and VENUES["TMLR"].kind == "journal" and VENUES["arXiv"].kind == "preprint"
    assert all(v.kind in KINDS for v in VENUES.by_name.values())


def test_spellings_map_to_canonical_names():
    assert VENUES.resolve("NIPS").name == "NeurIPS"
    assert VENUES.resolve("Arxiv").name == "arXiv"
    assert VENUES.resolve("Transactions on Machine Learning Research").name == "TMLR"
    assert VENUES.resolve("Unknown Workshop") is None
    assert VENUES.suggest("NeurlPS") == "NeurIPS"


def test_misspellings_are_reported_and_real_short_names_never_confused():
    found = VENUES.resolve("NeurlPS")
    assert (found.name, found.corrected) == ("NeurIPS", "NeurlPS")
    # a fuzzy match never turns one real venue into another
    for name in ("ICLR", "ICML", "ICCV", "ECCV", "CVPR", "AAAI", "ACL", "UAI"):
        assert VENUES.resolve(name).name == name and VENUES.resolve(name).corrected is None
    for unknown in ("ARITH", "AutoML", "Journal of Vision", "IEEE Signal Processing Letters", "ICRA", "MICCAI"):
        assert VENUES.resolve(unknown) is None, unknown


@pytest.mark.parametrize("text, kind, name, full", [
    ("Journal of Vision", "journal", "Journal of Vision", "Journal of Vision"),
    ("Medical Image Computing and Computer Assisted Intervention – MICCAI 2023", "conference", "MICCAI",
     "Medical Image Computing and Computer Assisted Intervention"),
    ("Proceedings of the 30th IEEE Symposium on Computer Arithmetic (ARITH)", "conference", "ARITH",
     "IEEE Symposium on Computer Arithmetic"),
    ("{IEEE} Signal Processing Letters", "journal", "IEEE Signal Processing Letters", "IEEE Signal Processing Letters"),
])
def test_new_venues_are_proposed_with_a_clean_name(text, kind, name, full):
    venue = VENUES.propose(text, kind)
    assert (venue.name, venue.full, venue.kind) == (name, full, kind)


@pytest.mark.parametrize("text", ["Feb", "Workshop", "2023", "https://example.org", "Preprint", "NeurIPS"])
def test_what_names_no_new_venue(text):
    assert VENUES.propose(text, "conference") is None  # NeurIPS: the name is taken
