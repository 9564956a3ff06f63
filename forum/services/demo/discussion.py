"""Demo discussion: topics in all three focus areas, in English and in Swedish (so that
search in either language finds something), threads with nested replies, reactions, posts
in personal and role capacity, and an edited post with its revision."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from forum.extensions import db
from forum.models.base import utcnow
from forum.models.discussion import (
    Capacity,
    FocusArea,
    Reaction,
    ReactionKind,
    Revision,
    Tag,
    Topic,
    TopicStatus,
)
from forum.services.discussion import posting

ROLE, PERSONAL = Capacity.ROLE, Capacity.PERSONAL

# area slug -> topics: (title, framing, tags, status, pinned, featured, threads)
# thread: (title, [(author, capacity, body, reply_to_index or None), ...])
TOPICS = {
    "city-governance": [
        ("Who should lead the harbour redevelopment?",
         "The inner harbour will change over the next twenty years. Should the city lead it "
         "through its own development company, or should a **joint body** with business and "
         "civil society carry it?", "harbour, governance", TopicStatus.OPEN, True, True, [
             ("A joint development company, with the city in the chair", [
                 ("anna", ROLE, "I propose a joint company where the city holds the majority "
                  "but business and the university sit on the board.\n\nThe point is to share "
                  "*risk* and *responsibility*, not only the ribbon-cutting.", None),
                 ("omar", ROLE, "Who answers to the voters when a joint company gets it "
                  "wrong? A board seat is not accountability.", 0),
                 ("maria", ROLE, "From the business side: we want predictability more than "
                  "seats. A twenty-year plan that survives elections matters most.", 0),
                 ("anna", ROLE, "@Omar_Haddad the owner directive would be decided by the "
                  "council every year. That is where accountability lives.", 1),
                 ("per", PERSONAL, "Research on Nordic development companies suggests the "
                  "owner directive is only as strong as the follow-up behind it.", 3),
                 ("leila", ROLE, "Please don't forget the people already living next to the "
                  "harbour. Civil society needs a real voice, not a consultation at the end.",
                  None),
                 ("karin", ROLE, "The administration can prepare an owner directive with "
                  "yearly reporting on resident participation. @Leila_Rahimi would you help "
                  "us draft that part?", 5),
                 ("leila", PERSONAL, "Gladly.", 6),
             ]),
             ("What can we learn from Malmö's Western Harbour?", [
                 ("erik", ROLE, "Västra hamnen shows both sides: world-class sustainability "
                  "targets, but also very high housing costs.", None),
                 ("jonas", PERSONAL, "The financing model was the key. Green bonds could work "
                  "here too.", 0),
             ]),
         ]),
        ("How should politicians and civil servants divide the work?",
         "Clear roles between the political level and the administration are the basis of "
         "good governance. Where does the line go in practice?", "roles", TopicStatus.OPEN,
         False, False, [
             ("The line between steering and managing", [
                 ("karin", ROLE, "Politicians decide *what* and *why*; the administration "
                  "decides *how*. In practice the border moves every week.", None),
                 ("omar", ROLE, "The opposition sees too little of the *how*. Transparency "
                  "would help everyone.", 0),
                 ("anna", PERSONAL, "Speaking personally: I have learned to ask more "
                  "questions and give fewer instructions.", 0),
             ]),
         ]),
        ("The 2023 budget process (archived)",
         "This discussion about the 2023 budget is kept for reference.", "budget",
         TopicStatus.ARCHIVED, False, False, [
             ("Lessons from the budget year", [
                 ("karin", ROLE, "Earlier dialogue with the committees would have helped.",
                  None),
             ]),
         ]),
        ("Bostäder för fler: hur bygger kommunen i takt med staden?",
         "Helsingborg växer med ungefär tusen invånare om året. Kommunen äger mark, planerar "
         "och bygger genom sitt bostadsbolag, men de flesta bostäder byggs av andra. Vem tar "
         "ansvar för att det finns bostäder som unga och äldre har råd med?",
         "bostäder, planering", TopicStatus.OPEN, False, True, [
             ("Kommunens markpolitik och hyresrätterna", [
                 ("anna", ROLE, "Kommunen kan ställa krav när vi säljer mark: en andel "
                  "hyresrätter i varje nytt kvarter. Det är vårt starkaste verktyg för fler "
                  "bostäder med rimliga hyror.", None),
                 ("omar", ROLE, "Markanvisningar med krav låter bra, men byggbolagen säger "
                  "att kalkylen inte går ihop. Då blir det inga bostäder alls. Vad säger "
                  "kommunens egna siffror?", 0),
                 ("maria", ROLE, "Från näringslivet: ge oss förutsägbara detaljplaner. Varje "
                  "år av väntan gör bostäderna dyrare för den som till slut ska bo där.", 0),
                 ("karin", ROLE, "Förvaltningen tar fram en uppföljning av alla "
                  "markanvisningar sedan 2020: hur många bostäder som blev hyresrätter och "
                  "vad de kostar. Den kommer till kommunstyrelsen i vår.", 1),
             ]),
             ("Studentbostäder nära Campus Helsingborg", [
                 ("per", ROLE, "Våra studenter pendlar från Lund och Malmö eftersom det "
                  "saknas studentbostäder här. Kan kommunen och universitetet göra en "
                  "gemensam plan?", None),
                 ("erik", ROLE, "Stadsbyggnadsförvaltningen har två tomter nära stationen "
                  "som passar för mindre bostäder. Vi behöver en byggherre som vill "
                  "förvalta dem långsiktigt.", 0),
                 ("sara", PERSONAL, "Min dotter har stått i bostadskön i fyra år. Fler små "
                  "bostäder skulle göra stor skillnad för unga i kommunen.", None),
             ]),
         ]),
        ("Medborgardialog: när ska kommunen fråga invånarna?",
         "Kommunen bjuder in till dialog om mycket, från parker till skolor. Men hur vet "
         "invånarna vad deras synpunkter ledde till?", "dialog, demokrati", TopicStatus.OPEN,
         False, False, [
             ("Återkoppling efter dialogen", [
                 ("leila", ROLE, "Folk i Drottninghög har svarat på enkäter i åratal. De "
                  "slutar svara när kommunen aldrig berättar vad som hände sedan.", None),
                 ("karin", ROLE, "Det är en rimlig kritik. Vi provar nu att varje dialog "
                  "avslutas med ett kort beslut: vad vi gör, vad vi inte gör och varför.", 0),
                 ("omar", ROLE, "Oppositionen vill se samma återkoppling i nämnderna, inte "
                  "bara på kommunens webbplats.", 1),
             ]),
         ]),
    ],
    "innovative-welfare": [
        ("Welfare technology in home care: who pays for the pilots?",
         "Sensors, digital supervision and robots can free time for care. Pilots are "
         "cheap; scaling up is not.", "welfare technology, care", TopicStatus.OPEN, False,
         True, [
             ("Scaling pilots beyond the project money", [
                 ("erik", ROLE, "We have run eleven pilots in three years. Two were scaled. "
                  "The rest died when the project money ended.", None),
                 ("jonas", ROLE, "Banks could co-finance if the savings were measured the "
                  "same way across the municipalities.", 0),
                 ("per", ROLE, "We can help define shared measures. The research exists.", 1),
                 ("sara", PERSONAL, "My mother has a night camera. It works, but nobody "
                  "asked her before it was installed.", None),
                 ("karin", ROLE, "Thank you @Sara_Ahmed, that is exactly the consent "
                  "question we need to get right.", 3),
             ]),
         ]),
        ("Trygghet i hemtjänsten: teknik som äldre själva vill ha",
         "Trygghetslarm, nattkameror och digitala tillsynsbesök sprids i kommunen. Hur "
         "behåller vi den enskildes trygghet och integritet när tekniken tar över?",
         "välfärdsteknik, trygghet", TopicStatus.OPEN, False, False, [
             ("Samtycke och trygghet vid digital tillsyn", [
                 ("erik", ROLE, "I kommunen har vi nu över tvåhundra digitala tillsynsbesök "
                  "varje natt. De flesta upplever ökad trygghet, men några vill hellre ha "
                  "ett besök av en människa.", None),
                 ("sara", PERSONAL, "Min mamma kände trygghet först när hon själv fick "
                  "bestämma när kameran skulle vara på. Fråga de äldre först.", 0),
                 ("per", ROLE, "Forskningen visar att trygghet handlar om kontroll: den som "
                  "förstår tekniken och kan stänga av den känner sig tryggare.", 1),
                 ("jonas", ROLE, "Om kommunen mäter besparingarna på samma sätt som "
                  "grannkommunerna kan banken vara med och finansiera nästa steg.", None),
             ]),
         ]),
    ],
    "quality-of-life": [
        ("Safe evenings in Drottninghög",
         "How do residents, associations, police and the city work together for safer "
         "evenings?", "safety, neighbourhoods", TopicStatus.OPEN, True, False, [
             ("Evening walks with residents", [
                 ("leila", ROLE, "Our association has run evening walks for a year. People "
                  "feel safer, and we learn what needs fixing: lights, paths, bushes.", None),
                 ("anna", ROLE, "The city can fund the lighting list you collected. Could "
                  "you share it?", 0),
                 ("leila", ROLE, "Yes, here is the short version:\n\n1. Lights along the "
                  "school path\n2. The underpass by the square\n3. The bus stop on the east "
                  "side", 1),
                 ("sara", PERSONAL, "The underpass is the worst. Thank you for raising it.",
                  2),
             ]),
         ]),
        ("Libraries as meeting places (closed)",
         "The library plan has been decided. This topic is closed for new posts.",
         "culture", TopicStatus.CLOSED, False, False, [
             ("Opening hours after the decision", [
                 ("maria", PERSONAL, "The longer opening hours are a great decision.", None),
             ]),
         ]),
        ("Trygghet i stadsdelarna: vad gör skillnad på riktigt?",
         "Polisen, kommunen, fastighetsägare och föreningar arbetar alla med trygghet. Vilka "
         "insatser märks för dem som bor här, och hur följer vi upp dem?",
         "trygghet, stadsdelar", TopicStatus.OPEN, False, True, [
             ("Trygghetsvandringar i Drottninghög och Planteringen", [
                 ("leila", ROLE, "Efter ett år av vandringar är listan tydlig: belysning, "
                  "röjda buskar och vuxna som syns på kvällarna ger mest trygghet.", None),
                 ("anna", ROLE, "Kommunen avsätter pengar i budgeten för belysningen. Vi "
                  "vill att föreningarna är med och prioriterar var den behövs mest.", 0),
                 ("maria", PERSONAL, "Butikerna vid torget märker skillnad när det finns "
                  "folk i rörelse. Trygghet och handel hänger ihop.", 0),
                 ("sara", PERSONAL, "Jag går hem från bussen varje kväll. Det är "
                  "gångtunneln som tar bort känslan av trygghet, inte själva området.", 1),
             ]),
             ("Bostäder, trygghet och ägarnas ansvar", [
                 ("karin", ROLE, "Där fastighetsägarna samverkar med kommunen om skötsel "
                  "och belysning ökar tryggheten snabbast. Bostäder som sköts väl blir "
                  "tryggare att bo i.", None),
                 ("omar", ROLE, "Samverkan måste gälla alla ägare, även de som köpt "
                  "bostäderna för att sälja vidare. Annars flyttar otryggheten bara runt.",
                  0),
             ]),
         ]),
    ],
}

REACTIONS = [  # (reactor, area slug, topic index, thread index, post index, kind)
    ("omar", "city-governance", 0, 0, 0, ReactionKind.INSIGHTFUL),
    ("maria", "city-governance", 0, 0, 0, ReactionKind.AGREE),
    ("karin", "city-governance", 0, 0, 0, ReactionKind.AGREE),
    ("anna", "city-governance", 0, 0, 1, ReactionKind.INSIGHTFUL),
    ("per", "city-governance", 0, 0, 5, ReactionKind.AGREE),
    ("anna", "city-governance", 0, 0, 5, ReactionKind.THANKS),
    ("leila", "city-governance", 0, 0, 6, ReactionKind.THANKS),
    ("karin", "innovative-welfare", 0, 0, 3, ReactionKind.THANKS),
    ("erik", "innovative-welfare", 0, 0, 3, ReactionKind.INSIGHTFUL),
    ("anna", "quality-of-life", 0, 0, 0, ReactionKind.AGREE),
    ("omar", "quality-of-life", 0, 0, 0, ReactionKind.AGREE),
]


def add(cast: dict) -> str:
    """Create the demo discussion once, with times spread over the past weeks."""
    areas = {a.slug: a for a in db.session.scalars(select(FocusArea))}
    clock = utcnow() - timedelta(days=21)
    posts_by_key: dict[tuple, object] = {}
    tags: dict[str, Tag] = {}
    counts = {"topics": 0, "threads": 0, "posts": 0}
    for slug, topics in TOPICS.items():
        for t_index, (title, framing, tag_text, status, pinned, featured, threads) in \
                enumerate(topics):
            topic = Topic(focus_area_id=areas[slug].id, title=title, framing_source=framing,
                          framing_html=posting.render(framing), pinned=pinned,
                          featured=featured, created_by_id=cast["mod"].id,
                          created_at=clock, last_activity_at=clock)
            topic.tags = [tags.setdefault(n.strip(), Tag(name=n.strip()))
                          for n in tag_text.split(",")]
            db.session.add(topic)
            db.session.flush()
            counts["topics"] += 1
            for th_index, (thread_title, posts) in enumerate(threads):
                clock += timedelta(hours=7)
                thread, made = None, []
                for p_index, (who, capacity, body, reply_to) in enumerate(posts):
                    clock += timedelta(hours=3, minutes=17 * p_index)
                    if thread is None:
                        thread = posting.new_thread(topic, cast[who], thread_title, body,
                                                       capacity=capacity, created_at=clock)
                        post = db.session.scalars(thread.posts.select()).one()
                    else:
                        parent = made[reply_to] if reply_to is not None else None
                        post = posting.append_post(thread, cast[who], body, parent=parent,
                                                      capacity=capacity, created_at=clock)
                    made.append(post)
                    posts_by_key[(slug, t_index, th_index, p_index)] = post
                    counts["posts"] += 1
                counts["threads"] += 1
            topic.status = status  # closed and archived only after their threads were written
    _reactions(cast, posts_by_key)
    _edited_post(cast, posts_by_key)
    db.session.commit()
    return ("Demo discussion: {topics} topics, {threads} threads, {posts} posts, reactions "
            "and an edited post.".format(**counts))


def _reactions(cast: dict, posts: dict) -> None:
    for who, slug, t_index, th_index, p_index, kind in REACTIONS:
        post = posts[(slug, t_index, th_index, p_index)]
        db.session.add(Reaction(post_id=post.id, user_id=cast[who].id, kind=kind,
                                created_at=post.created_at + timedelta(hours=2)))


def _edited_post(cast: dict, posts: dict) -> None:
    """Maria's harbour post, edited once to add a point; the old text is kept."""
    post = posts[("city-governance", 0, 0, 2)]
    db.session.add(Revision(post_id=post.id, editor_id=cast["maria"].id,
                            body_source=post.body_source,
                            created_at=post.created_at + timedelta(minutes=40)))
    post.body_source = (post.body_source + "\n\nAdded after the meeting: a **clear owner "
                        "directive** would give us that predictability.")
    post.body_html = posting.render(post.body_source)
    post.edited_at = post.created_at + timedelta(minutes=40)
    post.edit_count = 1
