from effdiff_catalog.venues import KINDS, Venues
from conftest import REPO

VENUES = Venues.load(REPO / "venues.yaml")


def test_required_venues_and_kinds():
    for name in "NeurIPS ICLR ICML CVPR CVPRW ICCV ECCV AAAI UAI JMLR TMLR TPAMI ACL NAACL EMNLP MLSys NSDI FPL ISCAS arXiv".split():
        assert name in VENUES
    assert VENUES["CVPRW"].kind == "workshop" and VENUES["TMLR"].kind == "journal" and VENUES["arXiv"].kind == "preprint"
    assert all(v.kind in KINDS for v in VENUES.by_name.values())


def test_spellings_map_to_canonical_names():
    assert VENUES.normalize("NIPS") == "NeurIPS"
    assert VENUES.normalize("Arxiv") == "arXiv"
    assert VENUES.normalize("Transactions on Machine Learning Research") == "TMLR"
    assert VENUES.normalize("Unknown Workshop") is None
    assert VENUES.suggest("NeurlPS") == "NeurIPS"
