"""The words that point to each topic, in English, Russian and Lithuanian.

Written as people type them; the matcher folds case and diacritics the same way on both sides
(so "amžina" here also matches "amzina" typed without Lithuanian letters).

- a *stem* matches any word that starts with it ("перенос" matches "переноса", "переносе");
  a stem ending in "=" matches only the whole word ("vs=", "кп=");
- *strong* stems name the topic (2 points), *weak* ones only hint at it (1 point);
- a *phrase* (3 points) is stems in this order, at most one other word between two of them
  ("amžin licencij" matches "amžinoji licencija" and "amžina programos licencija");
- a *pair* "a+b" (3 points) needs both stems anywhere in the question.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product


@dataclass(frozen=True)
class Words:
    strong: str = ""
    weak: str = ""
    phrases: tuple[str, ...] = ()


# The three ways to pay, for the comparison topic: a question naming two of them compares them.
_KINDS = {
    "en": ("perpetual lifetime", "subscri", "selfhost premis"),
    "ru": ("бессроч вечн пожизнен", "подписк аренд", "коробочн локальн"),
    "lt": ("amžin neterminuot", "prenumerat abonement", "savame nuosavame"),
}


_KIND_STEMS = {language: " ".join(groups) for language, groups in _KINDS.items()}


def _pairs(language: str) -> tuple[str, ...]:
    kinds = [group.split() for group in _KINDS[language]]
    return tuple(
        f"{a}+{b}"
        for i, first in enumerate(kinds)
        for second in kinds[i + 1 :]
        for a, b in product(first, second)
    )


VOCABULARY: dict[str, dict[str, Words]] = {
    "perpetual": {
        "en": Words(
            strong="perpetual lifetime",
            weak="forever once renewal updates",
            phrases=(
                "perpetual licen",
                "one time payment",
                "pay once",
                "buy once",
                "pay for= updat",
                "updat+every year",
            ),
        ),
        "ru": Words(
            strong="бессроч вечн пожизнен",
            weak="навсегда разов обновлен продлен",
            phrases=(
                "бессроч лиценз",
                "вечн лиценз",
                "купит навсегда",
                "единоразов плат",
                "плат за= обновлен",
                "обновлен+кажд",
            ),
        ),
        "lt": Words(
            strong="amžin neterminuot vienkartin",
            weak="visam atnaujinim",
            phrases=(
                "amžin licencij",
                "visam laik",
                "vienkartin mokėjim",
                "mokėt už= atnaujinim",
                "atnaujinim+kasmet",
            ),
        ),
    },
    "subscription": {
        "en": Words(
            strong="subscri",
            weak="monthly",
            phrases=(
                "per= month",
                "per= user per= month",
                "pay monthly",
                "rent licen",
                "stop pay",
            ),
        ),
        "ru": Words(
            strong="подписк",
            weak="ежемесяч помесяч аренд",
            phrases=(
                "в= месяц",
                "за= пользовател",
                "абонентск плат",
                "аренд лиценз",
                "перестат плат",
                "прекрат плат",
            ),
        ),
        "lt": Words(
            strong="prenumerat abonement",
            weak="mėnesin",
            phrases=(
                "per= mėnes",
                "už= vartotoj",
                "mėnesin mokest",
                "nustos mokėt",
                "nustoj mokėt",
                "nebemokė",
            ),
        ),
    },
    "self_hosted": {
        "en": Words(
            strong="selfhost",
            weak="server hosting install",
            phrases=("self host", "on premis", "own server", "our server", "my server", "host it="),
        ),
        "ru": Words(
            strong="selfhost",
            weak="сервер хостинг установ",
            phrases=(
                "сво сервер",
                "собствен сервер",
                "локальн верс",
                "копи программ",
                "на= сервер",
                "self host",
            ),
        ),
        "lt": Words(
            strong="selfhost",
            weak="server talpinim",
            phrases=("sav server", "nuosav server", "savam server", "savame server", "self host"),
        ),
    },
    "compare": {
        "en": Words(
            weak="differ compar vs= versus better licen kind type option " + _KIND_STEMS["en"],
            phrases=(
                "which licen",
                "type of= licen",
                "pros cons",
                "buy+rent",
                "buy+subscri",
                *_pairs("en"),
            ),
        ),
        "ru": Words(
            weak="разниц отлич сравн лучше выгодн лиценз " + _KIND_STEMS["ru"],
            phrases=(
                "какую лиценз",
                "вид лиценз",
                "тип лиценз",
                "плюс минус",
                "купит+аренд",
                "купит+подписк",
                *_pairs("ru"),
            ),
        ),
        "lt": Words(
            weak="skirt palygin geriau licencij " + _KIND_STEMS["lt"],
            phrases=(
                "kokią licencij",
                "licencij rūš",
                "licencij tip",
                "privalum trūkum",
                "pirkt+nuom",
                "pirkt+prenumerat",
                *_pairs("lt"),
            ),
        ),
    },
    "open_source": {
        "en": Words(
            strong="opensourc proprietar",
            weak="free",
            phrases=("open sourc", "closed sourc", "source code", "free softwar"),
        ),
        "ru": Words(
            strong="опенсорс проприетарн",
            weak="бесплатн",
            phrases=("открыт код", "открыт исходн", "исходн код", "закрыт код", "open sourc"),
        ),
        "lt": Words(
            strong="nuosavybin",
            weak="nemokam",
            phrases=("atvir kod", "uždar kod", "išeities kod", "open sourc"),
        ),
    },
    "saas": {
        "en": Words(
            strong="saas cloud boxed",
            weak="cheap",
            phrases=("boxed product", "box version", "web version", "subscri+box"),
        ),
        "ru": Words(
            strong="saas облак облачн коробк коробочн",
            weak="дешевл дешев",
            phrases=("коробочн верс", "коробочн продукт", "облачн верс", "подписк+коробк"),
        ),
        "lt": Words(
            strong="saas debes dėžut dėžin",
            weak="pigi pigesn pigu=",
            phrases=("debes versij", "dėžut produkt", "dėžin versij", "prenumerat+dėž"),
        ),
    },
    "hidden_costs": {
        "en": Words(
            strong="hidden tco= rollout implement",
            weak="cost price expens extra customiz integrat training",
            phrases=(
                "total cost",
                "cost of ownership",
                "roll out",
                "extra cost",
                "hidden cost",
                "additional cost",
            ),
        ),
        "ru": Words(
            strong="скрыт внедрен доработ tco=",
            weak="стоимост стоит= затрат расход цена цены цену настройк интеграц обучен",
            phrases=(
                "совокупн стоимост",
                "стоимост владен",
                "дополнительн расход",
                "скрыт расход",
                "скрыт затрат",
                "полн стоимост",
            ),
        ),
        "lt": Words(
            strong="paslėpt diegim įdiegim",
            weak="kašt išlaid kain pritaikym integracij mokym",
            phrases=("bendr kašt", "nuosavyb kašt", "papildom išlaid", "paslėpt kašt"),
        ),
    },
    "migration": {
        "en": Words(
            strong="migrat",
            weak="data import transfer move moving",
            phrases=("data migrat", "move data", "move our data", "transfer data", "import data"),
        ),
        "ru": Words(
            strong="перенос перенес миграц",
            weak="данн импорт",
            phrases=("перенос данн", "перенест данн", "перенести базу", "миграц данн"),
        ),
        "lt": Words(
            strong="perkėl perkel migracij",
            weak="duomen importa",
            phrases=("duomen perkėl", "duomen perkel", "perkelt duomen", "duomen migracij"),
        ),
    },
    "min_seats": {
        "en": Words(
            strong="minimum seat",
            weak="users tier plan",
            phrases=("minimum seat", "minimum number of= user", "per= seat", "from= 10= user"),
        ),
        "ru": Words(
            strong="минимальн минимум",
            weak="мест пользовател тариф",
            phrases=("минимальн колич", "минимум мест", "от= 10= пользовател", "колич мест"),
        ),
        "lt": Words(
            strong="minimal mažiaus",
            weak="viet vartotoj plan",
            phrases=("minimal vartotoj", "minimal viet", "nuo= 10= vartotoj"),
        ),
    },
    "checklist": {
        "en": Words(
            strong="checklist signing signed offer agreement",
            weak="check vendor contract sign=",
            phrases=(
                "before sign",
                "what to= check",
                "what to= look",
                "in= the= contract",
                "red flag",
                "own data",
                "data stored",
            ),
        ),
        "ru": Words(
            strong="чеклист подписан подписат подписыва подпиш кп= оффер",
            weak="провер предложени вендор договор",
            phrases=(
                "коммерческ предложени",
                "обрат вниман",
                "что провер",
                "перед подпис",
                "в= договор",
                "хран данн",
                "принадлеж данн",
            ),
        ),
        "lt": Words(
            strong="pasiraš pasiūlym",
            weak="patikrin tiekėj sutart",
            phrases=(
                "prieš pasiraš",
                "ką patikrin",
                "atkreip dėmes",
                "sutart patikrin",
                "saugom duomen",
                "duomen savinink",
            ),
        ),
    },
}
