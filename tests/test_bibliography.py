"""The book's bibliography (book/references.bib) against the records it was checked on.

Every entry was checked field by field (issue 25) against the publisher's record where one
could be found (PMLR's and JMLR's own metadata, NeurIPS proceedings pages, Project Euclid,
Wiley, PNAS, IEEE records), otherwise against independent bibliographic records or other
papers' reference lists; the per-entry table (record addresses, and what was not found) is in the report on issue 25.
``RECORDS`` pins the fields those records state, so an edit that contradicts a record fails.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pybtex.database import parse_file

ROOT = Path(__file__).resolve().parents[1]
BIB = ROOT / "book" / "references.bib"
CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]*)`")

# key -> fields as the record states them (authors: family names in order).
RECORDS = {
    # https://github.com/mlresearch/v40/blob/main/_posts/2015-06-26-Thrampoulidis15.md
    "thrampoulidis2015regularized": {"authors": ["Thrampoulidis", "Oymak", "Hassibi"], "volume": "40",
                                     "pages": "1683--1709", "year": "2015"},
    # https://github.com/mlresearch/v97/blob/main/_posts/2019-05-24-phuong19a.md
    "phuong2019towards": {"authors": ["Phuong", "Lampert"], "volume": "97", "pages": "5142--5151", "year": "2019"},
    # https://github.com/mlresearch/v130/blob/main/_posts/2021-03-18-hsu21a.md
    "hsu2021proliferation": {"authors": ["Hsu", "Muthukumar", "Xu"], "volume": "130", "pages": "91--99",
                             "year": "2021"},
    # https://github.com/JmlrOrg/v19/blob/main/18-188/info.json
    "soudry2018implicit": {"authors": ["Soudry", "Hoffer", "Nacson", "Gunasekar", "Srebro"], "volume": "19",
                           "number": "70", "pages": "1--57", "year": "2018"},
    # https://github.com/JmlrOrg/v22/blob/main/20-603/info.json
    "muthukumar2021classification": {"authors": ["Muthukumar", "Narang", "Subramanian", "Belkin", "Hsu", "Sahai"],
                                     "volume": "22", "number": "222", "pages": "1--69", "year": "2021"},
    # https://papers.neurips.cc/paper_files/paper/2019/file/ab49ef78e2877bfd2c2bfa738e459bf0-Metadata.json
    "salehi2019impact": {"authors": ["Salehi", "Abbasi", "Hassibi"], "pages": "12005--12015", "year": "2019"},
    # https://papers.neurips.cc/paper/1989/hash/6c9882bbac1c7093bd25041881277658-Abstract.html (NIPS 2, 1989)
    "lecun1990optimal": {"authors": ["LeCun", "Denker", "Solla"], "year": "1989"},
    # https://papers.neurips.cc/paper_files/paper/2020/hash/2288f691b58edecadcc9a8691762b4fd-Abstract.html
    "mobahi2020self": {"authors": ["Mobahi", "Farajtabar", "Bartlett"], "year": "2020"},
    # http://papers.nips.cc/paper/by-source-2015-1888 (NIPS 28)
    "thrampoulidis2015lasso": {"authors": ["Thrampoulidis", "Abbasi", "Hassibi"], "year": "2015"},
    # https://www.pnas.org/content/116/32/15849
    "belkin2019reconciling": {"authors": ["Belkin", "Hsu", "Ma", "Mandal"], "volume": "116", "number": "32",
                              "pages": "15849--15854", "year": "2019", "doi": "10.1073/pnas.1903070116"},
    # https://pmc.ncbi.nlm.nih.gov/articles/PMC6642380/
    "sur2019modern": {"authors": ["Sur", "Candès"], "volume": "116", "number": "29", "pages": "14516--14525",
                      "year": "2019", "doi": "10.1073/pnas.1810420116"},
    # https://research.google/pubs/benign-overfitting-in-linear-regression (PNAS 117(48), 30063-30070)
    "bartlett2020benign": {"authors": ["Bartlett", "Long", "Lugosi", "Tsigler"], "volume": "117", "number": "48",
                           "pages": "30063--30070", "year": "2020"},
    # https://projecteuclid.org/euclid.aos/1519268430
    "dobriban2018high": {"authors": ["Dobriban", "Wager"], "volume": "46", "number": "1", "pages": "247--279",
                         "year": "2018", "doi": "10.1214/17-AOS1549"},
    # The Annals of Statistics 2009, Vol. 37, No. 5A, 2178-2201, DOI 10.1214/08-AOS646 (the article's own header)
    "wasserman2009high": {"authors": ["Wasserman", "Roeder"], "volume": "37", "number": "5A",
                          "pages": "2178--2201", "year": "2009", "doi": "10.1214/08-AOS646"},
    # http://onlinelibrary.wiley.com/doi/10.1111/j.1467-9868.2008.00674.x/full
    "fan2008sure": {"authors": ["Fan", "Lv"], "volume": "70", "number": "5", "pages": "849--911", "year": "2008",
                    "doi": "10.1111/j.1467-9868.2008.00674.x"},
    # J. R. Statist. Soc. B (1996) 58, No. 1, pp. 267-288 (header of academic.oup.com/jrsssb/article/58/1/267/7027929)
    "tibshirani1996regression": {"authors": ["Tibshirani"], "volume": "58", "number": "1", "pages": "267--288",
                                 "year": "1996"},
    # https://scilit.com/publications/48495b45be2f558a8fb8cc9d31b93593 (IEEE, Vol. EC-14 (3), 326-334)
    "cover1965geometrical": {"authors": ["Cover"], "volume": "EC-14", "number": "3", "pages": "326--334",
                             "year": "1965", "doi": "10.1109/PGEC.1965.264137"},
    # IEEE record of DOI 10.1109/TIT.2011.2174612 (https://search.isc.ac/inventory/49/1369130.htm)
    "bayati2012lasso": {"authors": ["Bayati", "Montanari"], "year": "2012", "doi": "10.1109/TIT.2011.2174612"},
    # https://mlanthology.org/eccv/2016/rastegari2016eccv-xnor
    "rastegari2016xnor": {"authors": ["Rastegari", "Ordonez", "Redmon", "Farhadi"], "year": "2016",
                          "doi": "10.1007/978-3-319-46493-0_32"},
    # arXiv records
    "hinton2015distilling": {"authors": ["Hinton", "Vinyals", "Dean"], "year": "2015"},
    "chang2021provable": {"authors": ["Chang", "Li", "Oymak", "Thrampoulidis"], "year": "2021"},
    "kini2020analytic": {"authors": ["Kini", "Thrampoulidis"], "year": "2020"},
    "deng2022model": {"authors": ["Deng", "Kammoun", "Thrampoulidis"]},
    "montanari2019generalization": {"authors": ["Montanari", "Ruan", "Sohn", "Yan"], "year": "2019"},
    "li2016ternary": {"authors": ["Li", "Liu", "Wang", "Zhang", "Yan"], "year": "2016"},
    # ICLR 2021 camera-ready (OpenReview 7R7fAoUygoa); ICLR 2016 (arXiv:1510.00149v5 header)
    "nakkiran2021optimal": {"authors": ["Nakkiran", "Venkat", "Kakade", "Ma"], "year": "2021"},
    "han2016deep": {"authors": ["Han", "Mao", "Dally"], "year": "2016"},
}


def load(path: Path = BIB):
    return parse_file(str(path), bib_format="bibtex")


def family_names(entry) -> list[str]:
    return [" ".join(person.last_names).replace("{", "").replace("}", "").replace("\\`e", "è")
            for person in entry.persons["author"]]


def cited_keys(root: Path = ROOT) -> set[str]:
    files = [*root.glob("notebooks/*.md"), *root.glob("book/*.md"), *root.glob("lib/**/*.py")]
    keys: set[str] = set()
    for path in files:
        for match in CITE.finditer(path.read_text(encoding="utf-8")):
            keys |= {key.strip() for key in match.group(1).split(",") if key.strip()}
    return keys


def test_keys_are_unique():
    keys = re.findall(r"^@\w+\{([^,\s]+),", BIB.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert len(keys) == len(set(keys)), sorted(k for k in set(keys) if keys.count(k) > 1)
    assert set(keys) == set(load().entries)


def test_every_cited_key_is_in_the_bibliography():
    cited = cited_keys()
    assert cited, "no {cite} role found: the scan is broken"
    assert cited <= set(load().entries), sorted(cited - set(load().entries))


def test_every_entry_links_to_a_record():
    missing = [key for key, entry in load().entries.items()
               if "doi" not in entry.fields and "url" not in entry.fields]
    assert not missing, missing


@pytest.mark.parametrize("key", sorted(RECORDS))
def test_fields_agree_with_the_record(key):
    entry = load().entries[key]
    record = RECORDS[key]
    assert family_names(entry) == record["authors"]
    for field, value in record.items():
        if field != "authors":
            assert entry.fields.get(field) == value, (field, entry.fields.get(field), value)


def test_fields_are_well_formed():
    problems = []
    for key, entry in load().entries.items():
        fields = entry.fields
        if not re.fullmatch(r"(19|20)\d\d", fields.get("year", "")):
            problems.append((key, "year", fields.get("year")))
        if "doi" in fields and not re.fullmatch(r"10\.\d{4,9}/\S+", fields["doi"]):
            problems.append((key, "doi", fields["doi"]))
        if "pages" in fields:
            match = re.fullmatch(r"(\d+)--(\d+)", fields["pages"])
            if not match or int(match.group(1)) > int(match.group(2)):
                problems.append((key, "pages", fields["pages"]))
    assert not problems, problems


def test_the_page_lists_the_bibliography():
    assert "```{bibliography}" in (ROOT / "book" / "bibliography.md").read_text(encoding="utf-8")
