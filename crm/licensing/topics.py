"""What the bot explains about buying a CRM: license models and the costs around them.

Titles and answers are English source strings marked with N_ and translated where they are
shown. Answers use only <b> and <i> (Telegram HTML) and end, where it helps, with the /cost
command that puts numbers on them."""

from __future__ import annotations

from dataclasses import dataclass

from crm.i18n import N_


@dataclass(frozen=True)
class Topic:
    key: str  # stable: it travels in callback data
    title: str
    answer: str


PERPETUAL = Topic(
    "perpetual",
    N_("Perpetual license"),
    N_(
        "<b>Perpetual license</b> — you pay once and may use the version you bought for as long "
        "as you like.\n\n"
        "It is not “free forever”, though. Updates and support are usually a separate yearly "
        "fee, often a sixth to a quarter of the license price, sometimes half. Stop paying it "
        "and the program keeps working, but without new versions, fixes or help, and after a "
        "few years it may no longer fit new systems, browsers or integrations.\n\n"
        "<b>Cost:</b> a large payment at the start, then the yearly renewal. "
        "<b>Changes:</b> usually allowed on your copy, at your expense. "
        "<b>Check:</b> what the renewal costs from the second year, and what happens if you skip "
        "a year (some vendors make you pay for every missed year to come back)."
    ),
)

SUBSCRIPTION = Topic(
    "subscription",
    N_("Subscription"),
    N_(
        "<b>Subscription</b> — you pay per user per month or per year for as long as you use "
        "the system. Updates, hosting and basic support are in the price.\n\n"
        "Stop paying and you lose access, so make sure you can export your data first. The "
        "start is cheap, but the payments never end: over 3–5 years a subscription often costs "
        "more than a perpetual license would.\n\n"
        "<b>Watch for:</b> the price rising after the first year, prices that hold only from a "
        "minimum number of users, and features you need that exist only in a dearer plan."
    ),
)

SELF_HOSTED = Topic(
    "self_hosted",
    N_("Self-hosted copy"),
    N_(
        "<b>Self-hosted copy</b> — the CRM runs on your own server or on one you rent, not in "
        "the vendor's cloud. It may be a bought license or a free open source program.\n\n"
        "Your data stays with you and you can change much more. But you also do what the "
        "vendor does in the cloud: the server, backups, security, installing updates. That "
        "takes an administrator's time or a contractor, even when the program itself is free.\n"
        "\n"
        "<b>Count:</b> the server or hosting, an admin's hours every month, the yearly fee for "
        "updates and support, and who will help when something breaks at night."
    ),
)

COMPARISON = Topic(
    "compare",
    N_("Perpetual vs subscription vs self-hosted"),
    N_(
        "<b>Three ways to pay, side by side</b>\n\n"
        "<b>Cost.</b> Perpetual: a lot at the start, then a yearly fee for updates. "
        "Subscription: little at the start, then every month for as long as you use it. "
        "Self-hosted: the license (or nothing, for open source) plus a server and an admin.\n\n"
        "<b>Changes.</b> Subscription: only what the settings and the vendor allow. Perpetual "
        "and self-hosted: much more, up to changes in the code by your own or hired "
        "developers.\n\n"
        "<b>Support and updates.</b> Subscription: included; new versions arrive by themselves, "
        "wanted or not. Perpetual: while you pay the yearly renewal. Self-hosted: you install "
        "updates yourself; support is by contract.\n\n"
        "<b>Rule of thumb:</b> compare the total over 3–5 years, not the price of the first "
        "month. /cost works it out for your numbers."
    ),
)

OPEN_SOURCE = Topic(
    "open_source",
    N_("Open source vs proprietary"),
    N_(
        "<b>Open source</b> — the program's code is public: you may install it, change it and "
        "use it without paying for a license (within the terms of its license). "
        "<b>Proprietary</b> — the code belongs to the vendor: you pay for the right to use it, "
        "and only the vendor can change it.\n\n"
        "“Free” open source still costs money: someone has to install it, set it up, host it, "
        "update it and fix it. Many open source CRMs also sell paid editions or modules with "
        "the features businesses need.\n\n"
        "<b>Open source suits you</b> if you have your own developer or a trusted contractor and "
        "want to depend on no single vendor. <b>Proprietary suits you</b> if you want one company "
        "to answer for everything and accept its rules and prices."
    ),
)

SAAS_OR_BOXED = Topic(
    "saas",
    N_("SaaS vs boxed product"),
    N_(
        "<b>SaaS</b> (cloud) — the CRM runs on the vendor's servers; you open it in a browser "
        "and pay a subscription. <b>Boxed product</b> — you buy a license and install the "
        "program on your own server.\n\n"
        "<b>Is SaaS cheaper?</b> At the start, almost always: no server, no admin, a small "
        "monthly payment. Over several years, often not: a subscription is paid for every user "
        "every month, while a boxed license is paid once plus a yearly fee for updates. For a "
        "small team SaaS usually wins; for a large team that keeps its CRM for many years, a "
        "boxed product can come out cheaper.\n\n"
        "With SaaS, updates and backups are the vendor's job, but your data lives on their "
        "servers and leaving needs an export. With a boxed product you are freer to change it, "
        "but the server and its care are yours."
    ),
)

HIDDEN_COSTS = Topic(
    "hidden_costs",
    N_("Hidden costs of a roll-out"),
    N_(
        "<b>The license is only part of the price.</b> The total cost of a CRM usually also "
        "includes:\n\n"
        "• <b>data migration</b> — moving and cleaning your clients, contacts and history;\n"
        "• <b>customization</b> — access rights, reports, tasks, fields;\n"
        "• <b>integration</b> — your website, 1C, telephony, e-mail;\n"
        "• <b>training</b> — the hours your staff spend learning instead of selling;\n"
        "• <b>support</b> — and, for a self-hosted copy, a server and an admin;\n"
        "• <b>the transition period</b> — weeks of slower work while people get used to it, "
        "and the manager's time to run the project.\n\n"
        "Together they often cost as much as the license or more. Ask for each of them in "
        "writing. To add it all up for your team: /cost 12 users 3 years"
    ),
)

MIGRATION = Topic(
    "migration",
    N_("Data migration"),
    N_(
        "<b>How much does moving the data cost?</b> It depends less on the number of records "
        "than on how messy they are.\n\n"
        "A clean spreadsheet of a few thousand clients is a few hours of work (in this bot, an "
        "import from Excel). It gets expensive when the data sits in several places (Excel, an "
        "old CRM, 1C, mailboxes), has duplicates and different formats, or when the history of "
        "calls and deals must move too: then it is days of a specialist's work, paid by the "
        "hour or as a fixed-price project.\n\n"
        "<b>Ask before signing:</b> is migration in the price, who cleans the duplicates, how "
        "many trial runs are included, and will the vendor export your data for free when you "
        "leave. To see it next to the other costs: /cost 12 users 3 years"
    ),
)

MINIMUM_SEATS = Topic(
    "min_seats",
    N_("Minimum-seat pricing"),
    N_(
        "<b>“From $40 per user per month”</b> often has small print: the price holds only from "
        "10 users, or only when you pay a year ahead, or only in the first year.\n\n"
        "For a team of 4 that means paying for 10 seats: the real price per person is 2.5 times "
        "the advertised one. Other tricks: a cheap plan without the features you need (reports, "
        "integrations, access rights), a discount for the first year only, and paid extra users "
        "above the plan's limit.\n\n"
        "<b>Always count:</b> the seats you will really be billed for × the price of the plan "
        "that has what you need × the months you will use it. Try: /cost 12 users 3 years"
    ),
)

CHECKLIST = Topic(
    "checklist",
    N_("What to check before signing"),
    N_(
        "<b>Before you sign an offer, check:</b>\n\n"
        "• <b>Your data</b> — who owns it, how to export all of it (in what format, is it free), "
        "and what happens to it when the contract ends.\n"
        "• <b>The price after the first year</b> — is it fixed, how it is indexed, what renewal "
        "costs.\n"
        "• <b>Minimums</b> — the minimum number of users, the minimum term, payment in advance.\n"
        "• <b>Support</b> — what it covers, how fast it answers, in which language, what costs "
        "extra.\n"
        "• <b>Where the data is stored</b> — the country, backups, who has access.\n"
        "• <b>Updates</b> — included or paid, and whether they can break your customizations.\n"
        "• <b>Leaving</b> — the notice period, exit fees, help with moving to another system.\n"
        "• <b>Everything promised</b> — migration, customization, training: in the contract, "
        "with prices."
    ),
)

TOPICS: tuple[Topic, ...] = (
    PERPETUAL,
    SUBSCRIPTION,
    SELF_HOSTED,
    COMPARISON,
    OPEN_SOURCE,
    SAAS_OR_BOXED,
    HIDDEN_COSTS,
    MIGRATION,
    MINIMUM_SEATS,
    CHECKLIST,
)

_BY_KEY = {topic.key: topic for topic in TOPICS}


def topic(key: str) -> Topic | None:
    return _BY_KEY.get(key)
