"""Verification: alignment finds the swaps, restores the source, and refuses templates."""

from __future__ import annotations

import difflib
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import LCSseq

from unspin.trace.align import Text, align, is_match
from unspin.trace.fingerprint import WORD_RE

SOURCE = (
    "Margaret Okafor was born in 1962 in Enugu. She studied chemistry at the University of "
    "Lagos and later worked for the Nigerian National Petroleum Corporation in Port Harcourt. "
    "In 1994 she founded Okafor Laboratories, which developed cheap water filters for rural "
    "clinics. The company was sold to Veolia in 2011 for 40 million dollars."
)
SPUN = (
    "Margaret Okafor was conceived in 1962 in Enugu. She examined science at the College of "
    "Lagos and afterward labored for the Nigerian National Petroleum Corporation in Port "
    "Harcourt. In 1994 she established Okafor Laboratories, which created modest water "
    "channels for country facilities. The organization was offered to Veolia in 2011 for 40 "
    "million bucks."
)


def test_pairs_and_restoration_from_the_source() -> None:
    al = align(SPUN, SOURCE)
    assert al.similarity == 1.0 and al.source_coverage == 1.0 and al.conflicts == 0
    pairs = {(p.spun, p.original) for p in al.pairs}
    assert ("conceived", "born") in pairs
    assert ("examined science", "studied chemistry") in pairs
    assert ("million bucks", "million dollars") in pairs or ("bucks", "dollars") in pairs
    for p in al.pairs:
        assert SPUN[p.start : p.end] == p.spun
    assert al.restored == SOURCE
    assert 0.2 < al.changed < 0.5
    assert is_match(al)


def test_within_aligns_only_the_sentences_asked_for() -> None:
    q = Text(SPUN)
    whole = align(q, SOURCE)
    part = align(q, SOURCE, within={1, 2})
    assert whole.sentences == 4 and part.sentences == 2
    assert [m.start for m in part.matches] == [m.start for m in whole.matches[1:3]]
    assert not align(q, SOURCE, within=()).sentences


def test_shuffled_sentences_still_align() -> None:
    sents = SPUN.split(". ")
    shuffled = ". ".join([sents[2], sents[0], sents[3], sents[1]])
    al = align(shuffled, SOURCE)
    assert al.similarity == 1.0 and al.sentences == 4


def test_partial_copy_scores_the_copied_fraction() -> None:
    extra = (
        " The river Tyne flows east through Newcastle before it reaches the North Sea at "
        "Tynemouth, carrying coal barges for two centuries. Its bridges are a landmark of the "
        "city and appear on many postcards sold to visitors."
    )
    al = align(SPUN + extra, SOURCE)
    assert 0.55 < al.similarity < 0.65  # 54 of 91 words come from the source
    assert al.source_coverage == 1.0


def test_template_sibling_with_other_names_is_not_a_match() -> None:
    # Two stubs cut from one template: the wording agrees, the names and numbers do not.
    a = (
        "Nartiang is one of the 60 Legislative Assembly constituencies of Meghalaya state in "
        "India. It is part of West Jaintia Hills district and is reserved for candidates "
        "belonging to the Scheduled Tribes. Its current MLA is Sniawbhalang Dhar of the "
        "National People's Party."
    )
    b = (
        "Khliehriat is one of the 60 Legislative Assembly constituencies of Meghalaya state in "
        "India. It is part of East Jaintia Hills district and is reserved for candidates "
        "belonging to the Scheduled Tribes. Its current MLA is Kyrmen Shylla of the United "
        "Democratic Party."
    )
    al = align(a, b)
    assert al.conflicts >= 1
    assert not is_match(al)


def test_a_sibling_that_swaps_a_name_ending_like_a_verb_form_is_not_a_match() -> None:
    # "Harding" reads as "hard" + "ing" to the thesaurus lookup; as a capitalised word in
    # the middle of a sentence it is a name, and swapping it is a template sibling.
    a = (
        "Millbrook is a railway station in the market town of Harding, in the county of "
        "Westshire. The station is on the main line between Harding and Portmoor. The "
        "following services call at Harding on weekdays and on Saturdays."
    )
    b = (
        "Millbrook is a railway station in the market town of Okafield, in the county of "
        "Westshire. The station is on the main line between Okafield and Portmoor. The "
        "following services call at Okafield on weekdays and on Saturdays."
    )
    al = align(b, a)
    assert al.conflicts >= 2
    assert not is_match(al)


def test_a_name_a_thesaurus_lists_only_as_a_name_is_still_a_name() -> None:
    # WordNet lists "Venezuela" and "September" (beside "Bolivarian Republic of Venezuela",
    # "Sep"), always capitalised: names, not words a spinner swaps. A page that has
    # "Colombia" and "October" where its source has them is another winner's page cut
    # from one template.
    a = (
        "Maria Lopez was crowned queen of the coffee fair of Venezuela in 2003. She "
        "represented Venezuela at the international pageant in September of that year. "
        "She later studied law at the central university of Venezuela."
    )
    b = (
        "Maria Lopez was crowned queen of the coffee fair of Colombia in 2003. She "
        "represented Colombia at the international pageant in October of that year. "
        "She later studied law at the central university of Colombia."
    )
    al = align(b, a)
    assert al.conflicts >= 2
    assert not is_match(al)


def test_a_name_written_in_thesaurus_words_is_not_replaced_by_one_no_thesaurus_lists() -> None:
    source = (
        "The Western Magpies Football Club is a senior football club of the western suburbs "
        "of the city, and it plays in the second division of the state league."
    )
    sibling = source.replace("Western Magpies", "Palm Beach Currumbin")
    spun = source.replace("Western Magpies", "Occidental Magpies").replace("senior", "elder")
    assert align(sibling, source).sentences == 0
    al = align(spun, source)
    assert al.sentences == 1 and al.conflicts == 0


def test_a_capitalised_inflection_the_spinner_put_in_is_not_a_name() -> None:
    # Spinners capitalise what they put in ("Louder" for "stronger than"): in the suspect
    # a capitalised word any inflection of which a thesaurus lists is no name, though in
    # the source ("Helder", "Harding") it is one.
    source = (
        "Pentamorphone is a semi-synthetic opioid derived from morphine. Developed in 1984, "
        "it is a potent analgesic several times stronger than zorbaline, with a similarly "
        "fast onset of effects. It produces relatively little respiratory depression "
        "compared to other opioids."
    )
    spun = (
        "Pentamorphone is a semi-synthetic opioid derived from morphine. Developed in 1984, "
        "it is a potent analgesic several times Louder compared to transdermal, with a "
        "likewise fast onset of effects. It produces relatively little respiratory "
        "depression compared to other opioids."
    )
    al = align(spun, source)
    assert al.conflicts == 0
    assert is_match(al) and al.similarity == 1.0


def test_a_name_the_spinner_respelt_is_the_same_name() -> None:
    # A spinner's dictionary may hold spelling variants of names ("Bryan" for "Brian"):
    # a name one letter from the source's is the same person, however many sentences it
    # opens; another name in its place is a sibling from the same template.
    source = (
        "Brenan Kalvoort (born 3 September 1964) was a Zimbabwean cricketer. He was a "
        "right-handed batsman and a leg-break bowler who played for Matabeleland. Kalvoort "
        "made three appearances in the Logan Cup competition of 1993-94, scoring a half "
        "century in his debut innings. Kalvoort was an upper-middle order batsman and an "
        "occasional bowler, though he failed to take a single wicket in 18 overs."
    )
    spun = (
        "Brennan Kalvoort (born 3 September 1964) was a Zimbabwean cricketer. He was a "
        "right-handed batsmen and a leg-break bowler who played for Matabeleland. Kalvort "
        "made three appearances in the Logan Cup competition of 1993-94, scoring a half "
        "century in his beginning inning. Kalvoorts was an upper-middle order batsman and "
        "an occasional plug hat, though he faulty to take a single wicket in 18 overs."
    )
    al = align(spun, source)
    assert al.conflicts == 0 and al.renamed == 0
    assert is_match(al) and al.similarity == 1.0
    sibling = spun.replace("Brennan Kalvoort", "Tavish Morrow")
    sibling = sibling.replace("Kalvort", "Morrow").replace("Kalvoorts", "Morrow")
    assert not is_match(align(sibling, source))


def test_a_designation_is_as_fixed_as_its_number() -> None:
    # "K-1" and "C-1" (a kayak and a canoe event) are two articles of one template: the
    # letter joined to a number is a code no spinner rewrites, though a thesaurus lists "C".
    source = (
        "The men's K-1 1000 metres event was an individual kayaking event conducted as part "
        "of the Canoeing at the 1996 Summer Olympics program. The top four finishers in "
        "each heat moved on to the final, with the others relegated to the semifinals. The "
        "final of the K-1 event took place on the morning of August 3 on the lake."
    )
    sibling = (
        "The men's C-1 1000 metres event was an individual canoeing event conducted as part "
        "of the Canoeing at the 1996 Summer Olympics program. The top four finishers in "
        "each heat moved on to the final, with the others relegated to the semifinals. The "
        "final of the C-1 event took place on the morning of August 3 on the lake."
    )
    assert not is_match(align(sibling, source))
    spun = source.replace("individual", "single").replace("moved on", "progressed")
    assert is_match(align(spun, source))


def test_shared_headings_are_not_evidence() -> None:
    a = (
        "History.\nEarly life.\nCareer.\nThe painter Ilse Brandt spent her youth in Kiel and "
        "exhibited watercolours of the Baltic coast in Hamburg galleries from 1931 onwards."
    )
    b = (
        "History.\nEarly life.\nCareer.\nThe footballer Tomas Varga played as a winger for "
        "three clubs in Hungary before a knee injury ended his career at twenty-six."
    )
    al = align(a, b)
    assert al.similarity < 0.3
    assert not is_match(al)


def test_a_sentence_lined_up_with_a_heading_of_the_source_is_no_evidence() -> None:
    # The suspect sentence has six words, two of them the source's heading: what aligns
    # is two words of the source, which prove no more than a shared heading does.
    source = (
        "The Saturdays\nThe band toured arenas across Britain and Ireland that spring, "
        "playing songs from their second album to sold-out crowds."
    )
    suspect = (
        "The Saturdays tertiary student tankage device. Farmers in the lowlands harvested "
        "their barley early because the autumn rains were expected to arrive before October."
    )
    al = align(suspect, source)
    assert [m.counted for m in al.matches if m.start == 0] in ([], [False])
    assert al.similarity == 0.0
    assert not is_match(al)


def test_unrelated_and_empty_texts() -> None:
    assert align("Completely different words about cooking pasta.", SOURCE).similarity == 0.0
    empty = align("", SOURCE)
    assert empty.similarity == 0.0 and empty.restored == "" and not is_match(empty)
    assert align(SOURCE, "").similarity == 0.0


def test_split_sentence_is_not_a_renamed_one() -> None:
    # The spinner split one sentence in two; the stretch the first half aligns to runs
    # on into "making Okafor", which is the second half, not a name that was replaced.
    source = (
        "Margaret Okafor founded the company in 1994 with her husband. The business was "
        "sold to Hearst Corporation in 2004 for 400 million dollars, making Okafor and her "
        "brothers wealthy, according to the Buffalo News. She later taught chemistry at a "
        "college in Lagos."
    )
    spun = (
        "Margaret Okafor established the firm in 1994 with her spouse. The enterprise was "
        "offered to Hearst Corporation in 2004 for 400 million bucks. Making Okafor and her "
        "siblings affluent, according to the Buffalo News. She afterward educated science "
        "at a school in Lagos."
    )
    al = align(spun, source)
    assert al.similarity == 1.0 and al.conflicts == 0 and is_match(al)
    assert ("bucks", "dollars") in {(p.spun, p.original) for p in al.pairs}
    # Nothing of the neighbouring sentence is put back into the restoration.
    assert al.restored.count("million dollars") == 1
    assert "400 million dollars. Making Okafor" in al.restored


def test_a_keyword_pasted_before_a_split_off_clause_replaces_no_name() -> None:
    # The spinner split "After graduating from the University of Auckland," off the
    # sentence and a search keyword was pasted before the rest: the opening "the
    # University of Auckland" of the source stretch is another cut, not a name that
    # "supplement price" replaced.
    source = (
        "Ross grew up in a small town near Hamilton. After graduating from the University "
        "of Auckland, Ross was given a Commonwealth Scholarship to study in the UK. He "
        "was awarded a doctorate in English literature by the University of Edinburgh."
    )
    spun = (
        "Ross matured in a little town close to Hamilton. supplement price Ross was handed "
        "a Commonwealth Scholarship to learn in the UK. He was conferred a doctorate in "
        "English writing by the University of Edinburgh."
    )
    al = align(spun, source)
    assert al.conflicts == 0 and al.sentences == 3 and is_match(al)
    # A name the suspect moved within its sentence is a rewording of that opening: the
    # stretch keeps it, and the name it lost there still counts.
    moved = (
        "The strait and the peninsula were named in 1859 by Captain George Richards, in "
        "honour of Alessandro Malaspina, an Italian noble who led the Spanish expedition."
    )
    source = (
        "It lies in British Columbia. Malaspina Peninsula and Malaspina Strait were named "
        "in 1859 by Captain George Richards, in honour of Alessandro Malaspina, an Italian "
        "noble who led the Spanish expedition."
    )
    assert align(moved, source).conflicts == 1


def test_a_name_in_place_of_a_rare_word_is_a_sibling() -> None:
    # Two species described from one template: "Talboti" where the source has the rare
    # "hemicyanea", "Allen" for "Weber". Spinners add no names.
    source = (
        "Chrysiptera hemicyanea is a species of damselfish in the family Pomacentridae. It "
        "was first described by the ichthyologist Weber, who named it for its colour. It is "
        "native to the eastern Indian Ocean and western Pacific. It grows to a length of "
        "about seven centimetres."
    )
    sibling = (
        "Chrysiptera Talboti is a species of damselfish in the family Pomacentridae. It was "
        "first described by the ichthyologist Allen, who named it for Talbot. It is native "
        "to the eastern Indian Ocean and western Pacific. It grows to a length of about "
        "seven centimetres."
    )
    al = align(sibling, source)
    assert al.conflicts >= 1 and not is_match(al)


def test_page_furniture_and_look_alike_letters_change_no_name() -> None:
    # A footnote number glued to a quote, a bracketed citation, and Latin words written
    # with Cyrillic, Greek, IPA and small-capital look-alikes ("Ι’m" with a Greek capital
    # iota, "ᴡrite"): none is a number or name the spinner changed.
    source = (
        "Ketamine, classified as a “dissociative anesthetic,” is used in powdered or liquid "
        "form as an anesthetic, mostly on animals. It can be injected, consumed in drinks, "
        "snorted, or added to joints or cigarettes. I'm ready to call it a day, says the "
        "nurse about to write my first prescription for it."
    )
    spun = (
        "Ketamine, categorized as a “dissociative anesthetic,”1 is employed in pulverized or "
        "fluid structure as an anesthetic, generally on creatures. It may be infused, devoured "
        "in beverages, grunted, or added to joints or cigarettes.[2] Ι’m ready tо call it a "
        "dаy, says the nurse ɑbout to ᴡrite my first prescription for it."
    )
    al = align(spun, source)
    assert al.conflicts == 0 and al.similarity == 1.0 and is_match(al)
    assert ("categorized", "classified") in {(p.spun, p.original) for p in al.pairs}
    for p in al.pairs:
        assert spun[p.start : p.end] == p.spun


def test_a_clause_moved_keeps_its_number_and_a_title_does_not_end_a_sentence() -> None:
    # A paraphrase put the clause with the year first; "Dr." ends no sentence on either
    # side. The same sentence with another year is another text.
    source = (
        "Some cultures have used the hallucinogenic properties of mushrooms for centuries. "
        "Psilocybin was first isolated in 1958 by Dr. Albert Hofmann, who also discovered "
        "lysergic acid diethylamide. Magic mushrooms are often dried and eaten mixed into food."
    )
    spun = (
        "Some civilizations have utilized the hallucinogenic qualities of mushrooms for ages. "
        "Dr. Albert Hofmann, who also discovered lysergic acid diethylamide, first isolated "
        "psilocybin in 1958. Magic mushrooms are often dried and consumed mixed into food."
    )
    al = align(spun, source)
    assert al.conflicts == 0 and al.sentences == 3 and is_match(al)
    other = align(spun.replace("1958", "1962"), source)
    assert other.conflicts >= 1 and not is_match(other)


def test_a_name_a_paraphrase_moved_to_another_sentence_is_not_lost() -> None:
    # A fluent paraphrase took the plant's name out of the last sentence and put it in the
    # first. Where the source also has the name in the first sentence, the last one did
    # lose it: a dropped name is still a conflict.
    source = (
        "Ayahuasca is a brew that is made from several plants of the Amazon basin, such as "
        "Psychotria viridis or Chacruna. Some people call it the vine of the soul because of "
        "the long night ceremonies. Although less famous than other psychedelics such as "
        "peyote or mescaline, the Banisteriopsis caapi brew produces a long but intense "
        "visual and auditory experience."
    )
    spun = (
        "Ayahuasca (Banisteriopsis caapi) is a brew made from several plants of the Amazon "
        "basin, including Psychotria viridis and Chacruna. Some people call it the vine of "
        "the soul because of the long night ceremonies. Although less famous than other "
        "psychedelics like peyote or mescaline, the brew produces a long yet intense visual "
        "and auditory experience."
    )
    al = align(spun, source)
    assert (al.sentences, al.conflicts) == (3, 0) and is_match(al)
    named_twice = source.replace("Ayahuasca is", "Ayahuasca (Banisteriopsis caapi) is")
    al = align(spun, named_twice)
    assert al.conflicts == 1 and not is_match(al)


def test_roman_numerals_are_numbers() -> None:
    # Two district stubs of one template: the ordinal is a dictionary word a spinner may
    # swap, but the Roman numeral beside it is a number.
    def stub(ordinal: str, numeral: str, seat: str) -> str:
        return (
            f"The {ordinal} Electoral District of Durango (District {numeral} of Durango) is "
            "one of the 300 electoral districts into which the country is divided for "
            f"elections to the lower house. Its head town is {seat}, where the returns of "
            "the district are counted. The district was drawn in its present shape in 2005 "
            "by the national electoral institute."
        )

    al = align(stub("Third", "III", "Lerdo"), stub("Sixth", "VI", "Lerdo"))
    assert al.conflicts >= 1 and not is_match(al)
    # Spun, the same stub keeps its numeral and is still a match.
    assert is_match(
        align(
            stub("Third", "III", "Lerdo").replace("divided", "split"), stub("Third", "III", "Lerdo")
        )
    )
    # "Mix" opening a sentence is a word, not a numeral.
    assert is_match(
        align(
            "Mix the flour with the water and the salt until it forms a dough.",
            "Stir the flour with the water and the salt until it forms a dough.",
        )
    )


def test_word_offsets_and_capitals_computed_per_sentence_match_the_whole_text() -> None:
    # Offsets and capitals are filled sentence by sentence, only where an alignment reads
    # them; in whatever order they are asked for they must be those of the whole text.
    text = (
        "Dr. Ada Okafor met the “Board” in 1999 – twice.[12] It was\nnot, ᴠery ᥙsual."
        " Café owners (XIV) wrote it:\n\n  Then nothing   more. Ι’m done, 1,200 times"
    )
    t = Text(text)
    whole = list(WORD_RE.finditer(t._words))
    assert len(whole) == len(t) and t.norm[0] == "dr" and "very" in t.norm
    for i in reversed(range(len(t))):
        m = whole[i]
        assert t.span(i) == (m.start(), m.end())
        assert t.capital(i) == bool(re.match(r"[A-Z0-9ΙÉ]", text[m.start()]))
    assert text[slice(*t.span(t.norm.index("okafor")))] == "Okafor"


@given(
    st.lists(st.sampled_from("the of a cell nerve mobile in is".split()), max_size=30),
    st.lists(st.sampled_from("the of a cell nerve mobile in was".split()), max_size=30),
)
@settings(max_examples=300, deadline=None)
def test_the_bound_before_difflib_never_undercounts_what_difflib_aligns(
    a: list[str], b: list[str]
) -> None:
    """`_best_stretch` skips a stretch when its longest common subsequence with the
    suspect sentence cannot reach the ratio: sound only while difflib never aligns more."""
    blocks = difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
    assert sum(m.size for m in blocks) <= LCSseq.similarity(a, b)
