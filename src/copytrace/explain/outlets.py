"""The names news outlets go by in credit lines, and the sites (registered domains) they publish on.

Credit lines name outlets, not domains: "Source: AP News", "originally published by The Guardian",
"(Reuters) -", "© TASS". This table resolves the names of the wires, the state media and the
largest outlets to their sites; the domain's first label (``reuters`` of ``reuters.com``) and the
``--alias`` names cover the rest. Names of three letters or fewer match only as written here
(``AP``, ``RT``, ``dpa``): in lower case they are ordinary words or parts of words.
"""

from __future__ import annotations

#: site → the names it is credited by (the first is how copytrace writes it).
OUTLETS: dict[str, tuple[str, ...]] = {
    # wires and agencies
    "reuters.com": ("Reuters", "Thomson Reuters"),
    "apnews.com": ("AP", "Associated Press", "The Associated Press", "AP News"),
    "ap.org": ("AP", "Associated Press", "The Associated Press"),
    "afp.com": ("AFP", "Agence France-Presse", "Agence France Presse", "AFP News"),
    "dpa.com": ("dpa", "DPA", "Deutsche Presse-Agentur"),
    "dpa-international.com": ("dpa", "DPA", "Deutsche Presse-Agentur"),
    "efe.com": ("EFE", "Agencia EFE"),
    "ansa.it": ("ANSA", "Agenzia ANSA"),
    "kyodonews.net": ("Kyodo", "Kyodo News"),
    "yna.co.kr": ("Yonhap", "Yonhap News Agency"),
    "ptinews.com": ("PTI", "Press Trust of India"),
    "aninews.in": ("ANI", "Asian News International"),
    "upi.com": ("UPI", "United Press International"),
    "bloomberg.com": ("Bloomberg", "Bloomberg News"),
    # state media and their agencies
    "tass.com": ("TASS", "ITAR-TASS"),
    "tass.ru": ("TASS", "ITAR-TASS", "ТАСС"),
    "ria.ru": ("RIA Novosti", "RIA", "РИА Новости"),
    "interfax.ru": ("Interfax", "Интерфакс"),
    "rt.com": ("RT", "Russia Today", "RT News"),
    "sputniknews.com": ("Sputnik", "Sputnik News"),
    "sputnikglobe.com": ("Sputnik", "Sputnik News"),
    "tvzvezda.ru": ("Zvezda", "Звезда"),
    "xinhuanet.com": ("Xinhua", "Xinhua News Agency"),
    "news.cn": ("Xinhua", "Xinhua News Agency"),
    "cgtn.com": ("CGTN", "China Global Television Network"),
    "chinadaily.com.cn": ("China Daily",),
    "globaltimes.cn": ("Global Times",),
    "people.com.cn": ("People's Daily", "People’s Daily"),
    "people.cn": ("People's Daily", "People’s Daily"),
    "cctv.com": ("CCTV",),
    "presstv.ir": ("PressTV", "Press TV"),
    "irna.ir": ("IRNA", "Islamic Republic News Agency"),
    "tasnimnews.com": ("Tasnim", "Tasnim News Agency"),
    "mehrnews.com": ("Mehr", "Mehr News Agency"),
    "aa.com.tr": ("Anadolu", "Anadolu Agency", "Anadolu Ajansı", "AA"),
    "trtworld.com": ("TRT World", "TRT"),
    "kcna.kp": ("KCNA", "Korean Central News Agency"),
    "telesurtv.net": ("teleSUR", "TeleSUR"),
    # broadcasters and papers
    "aljazeera.com": ("Al Jazeera",),
    "aljazeera.net": ("Al Jazeera",),
    "alarabiya.net": ("Al Arabiya",),
    "bbc.com": ("BBC", "BBC News"),
    "bbc.co.uk": ("BBC", "BBC News"),
    "theguardian.com": ("The Guardian", "Guardian"),
    "nytimes.com": ("The New York Times", "New York Times", "NYT"),
    "washingtonpost.com": ("The Washington Post", "Washington Post"),
    "wsj.com": ("The Wall Street Journal", "Wall Street Journal", "WSJ"),
    "ft.com": ("Financial Times", "FT"),
    "cnn.com": ("CNN",),
    "foxnews.com": ("Fox News",),
    "nbcnews.com": ("NBC News",),
    "cbsnews.com": ("CBS News",),
    "npr.org": ("NPR",),
    "politico.com": ("Politico", "POLITICO"),
    "politico.eu": ("Politico", "POLITICO", "Politico Europe"),
    "telegraph.co.uk": ("The Telegraph", "Telegraph"),
    "independent.co.uk": ("The Independent", "Independent"),
    "dailymail.co.uk": ("Daily Mail", "MailOnline"),
    "dw.com": ("DW", "Deutsche Welle"),
    "france24.com": ("France 24", "FRANCE 24"),
    "euronews.com": ("Euronews", "euronews"),
    "lemonde.fr": ("Le Monde",),
    "spiegel.de": ("Der Spiegel", "Spiegel"),
    "abc.net.au": ("ABC News", "ABC"),
    "cbc.ca": ("CBC", "CBC News"),
    "kyivindependent.com": ("Kyiv Independent", "The Kyiv Independent"),
    "ukrinform.net": ("Ukrinform",),
    "unian.info": ("UNIAN",),
    "meduza.io": ("Meduza",),
}


def outlet_name(site: str) -> str | None:
    """How copytrace writes a site's outlet (``apnews.com`` → ``AP``), or None when not in the table."""
    names = OUTLETS.get(site)
    return names[0] if names else None
