"""The words a product claim is made of, in English and Chinese, each mapped to one canonical name.

Materials and colours are closed vocabularies: a text that names one states a fact the attributes
must hold. ``BROADER`` lets a text say less than the attributes ("steel" for "stainless steel",
"blue" for "navy") but never more ("leather" is not backed by "faux leather").
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["MATERIALS", "COLOURS", "FEATURES", "CERTIFICATIONS", "BROADER", "Lexicon", "materials", "colours",
           "features", "certifications"]

MATERIALS: dict[str, tuple[str, ...]] = {
    "cotton": ("cotton", "棉", "纯棉", "全棉", "棉质"),
    "organic cotton": ("organic cotton", "有机棉"),
    "polyester": ("polyester", "poly", "涤纶", "聚酯纤维", "聚酯"),
    "nylon": ("nylon", "polyamide", "尼龙", "锦纶"),
    "elastane": ("elastane", "spandex", "lycra", "氨纶", "莱卡"),
    "viscose": ("viscose", "rayon", "粘胶", "粘纤", "人造丝"),
    "modal": ("modal", "莫代尔"),
    "wool": ("wool", "woollen", "woolen", "merino", "羊毛", "毛呢"),
    "cashmere": ("cashmere", "羊绒"),
    "silk": ("silk", "真丝", "桑蚕丝", "丝绸"),
    "linen": ("linen", "flax", "亚麻", "麻质"),
    "denim": ("denim", "牛仔布"),
    "fleece": ("fleece", "抓绒", "摇粒绒"),
    "velvet": ("velvet", "丝绒", "天鹅绒"),
    "satin": ("satin", "缎", "缎面"),
    "chiffon": ("chiffon", "雪纺"),
    "georgette": ("georgette", "乔其纱"),
    "crepe": ("crepe", "绉纱"),
    "acrylic": ("acrylic", "腈纶", "亚克力"),
    "jute": ("jute", "burlap", "hessian", "黄麻"),
    "hemp": ("hemp", "大麻纤维", "汉麻"),
    "cork": ("cork", "软木"),
    "corduroy": ("corduroy", "灯芯绒"),
    "tweed": ("tweed", "粗花呢"),
    "felt": ("felt fabric", "wool felt", "毛毡"),
    "neoprene": ("neoprene", "氯丁橡胶"),
    "polypropylene": ("polypropylene", "pp plastic", "聚丙烯"),
    "polyurethane": ("polyurethane", "聚氨酯"),
    "latex": ("latex", "乳胶"),
    "terry": ("terry cotton", "terry cloth", "毛巾布"),
    "organza": ("organza", "欧根纱"),
    "taffeta": ("taffeta", "塔夫绸"),
    "tulle": ("tulle", "薄纱"),
    "muslin": ("muslin", "平纹细布"),
    "poplin": ("poplin", "府绸"),
    "canvas": ("canvas", "帆布"),
    "mesh": ("mesh", "网眼", "网布"),
    "lace": ("lace", "蕾丝"),
    "leather": ("leather", "genuine leather", "real leather", "full grain leather", "cowhide", "patent leather", "真皮", "皮革", "牛皮"),
    "faux leather": ("faux leather", "pu leather", "pu", "synthetic leather", "vegan leather", "leatherette",
                     "artificial leather", "人造革", "pu皮", "合成革"),
    "suede": ("suede", "麂皮", "绒面革"),
    "rubber": ("rubber", "橡胶"),
    "silicone": ("silicone", "硅胶"),
    "plastic": ("plastic", "塑料", "塑胶"),
    "abs": ("abs plastic", "abs材质"),
    "polycarbonate": ("polycarbonate", "聚碳酸酯"),
    "pvc": ("pvc", "vinyl", "聚氯乙烯"),
    "eva": ("eva foam", "eva材质"),
    "foam": ("foam", "memory foam", "泡沫", "海绵", "记忆棉"),
    "wood": ("wood", "wooden", "solid wood", "木质", "实木", "木制"),
    "teak": ("teak", "teak wood", "teakwood", "柚木"),
    "sheesham": ("sheesham", "sheesham wood", "rosewood", "花梨木", "红木"),
    "oak": ("oak", "oak wood", "橡木"),
    "walnut": ("walnut wood", "胡桃木"),
    "mahogany": ("mahogany", "桃花心木"),
    "pine": ("pine wood", "松木"),
    "bamboo": ("bamboo", "竹制", "竹子", "竹质", "竹纤维"),
    "engineered wood": ("engineered wood", "mdf", "particle board", "plywood", "密度板", "胶合板"),
    "glass": ("glass", "玻璃"),
    "tempered glass": ("tempered glass", "钢化玻璃"),
    "ceramic": ("ceramic", "ceramics", "陶瓷"),
    "porcelain": ("porcelain", "瓷", "骨瓷"),
    "stoneware": ("stoneware", "炻器"),
    "marble": ("marble", "大理石"),
    "stone": ("stone", "stones", "石材"),
    "metal": ("metal", "metallic", "金属"),
    "alloy": ("alloy", "合金"),
    "steel": ("steel", "碳钢", "钢制", "钢材"),
    "stainless steel": ("stainless steel", "不锈钢"),
    "iron": ("cast iron", "wrought iron", "铸铁", "铁质", "铁艺"),
    "aluminium": ("aluminium", "aluminum", "铝", "铝合金"),
    "copper": ("copper", "紫铜", "铜质"),
    "brass": ("brass", "黄铜"),
    "bronze": ("bronze", "青铜"),
    "zinc": ("zinc", "锌", "锌合金"),
    "titanium": ("titanium", "钛", "钛合金"),
    "silver": ("silver", "sterling silver", "925 silver", "纯银", "925银", "银饰"),
    "gold": ("gold", "solid gold", "18k gold", "22k gold", "黄金", "足金", "k金"),
    "gold plated": ("gold plated", "gold-plated", "gold plating", "镀金"),
    "silver plated": ("silver plated", "silver-plated", "镀银"),
    "rhodium": ("rhodium", "rhodium plated", "铑"),
    "platinum": ("platinum", "铂金", "铂"),
    "carbon fiber": ("carbon fiber", "carbon fibre", "碳纤维"),
    "fiberglass": ("fiberglass", "fibreglass", "glass fiber", "玻璃纤维"),
    "resin": ("resin", "树脂", "epoxy"),
    "paper": ("paper", "纸质", "纸制"),
    "cardboard": ("cardboard", "纸板", "纸箱"),
    "crystal": ("crystal", "水晶"),
    "pearl": ("pearl", "pearls", "珍珠"),
    "diamond": ("diamond", "diamonds", "钻石"),
    "cubic zirconia": ("cubic zirconia", "cz", "zircon", "锆石"),
    "down": ("goose down", "duck down", "down filled", "down-filled", "羽绒", "鹅绒", "鸭绒"),
    "microfiber": ("microfiber", "microfibre", "超细纤维"),
    "terracotta": ("terracotta", "陶土"),
    "brocade": ("brocade", "织锦"),
    "khadi": ("khadi",),
    "net": ("net fabric", "网纱"),
}

COLOURS: dict[str, tuple[str, ...]] = {
    "black": ("black", "jet black", "黑色"),
    "white": ("white", "白色"),
    "off-white": ("off-white", "off white", "米白", "米白色"),
    "cream": ("cream", "奶油色", "奶白色"),
    "ivory": ("ivory", "象牙白"),
    "grey": ("grey", "gray", "灰色"),
    "charcoal": ("charcoal", "炭灰色", "深灰色", "深灰"),
    "silver": ("silver", "银色"),
    "red": ("red", "红色"),
    "scarlet": ("scarlet", "猩红色", "大红色"),
    "ruby": ("ruby red", "宝石红"),
    "maroon": ("maroon", "栗色"),
    "burgundy": ("burgundy", "wine red", "酒红色", "酒红"),
    "crimson": ("crimson", "绯红"),
    "pink": ("pink", "粉色", "粉红色", "粉红"),
    "magenta": ("magenta", "fuchsia", "品红", "玫红色", "玫红"),
    "peach": ("peach", "桃色", "蜜桃色"),
    "coral": ("coral", "珊瑚色"),
    "orange": ("orange", "橙色", "橘色"),
    "rust": ("rust red", "铁锈红"),
    "yellow": ("yellow", "黄色"),
    "mustard": ("mustard", "芥末黄"),
    "gold": ("gold", "golden", "金色"),
    "beige": ("beige", "米色", "杏色"),
    "khaki": ("khaki", "卡其色", "卡其"),
    "tan": ("tan", "棕褐色"),
    "brown": ("brown", "coffee brown", "chocolate brown", "棕色", "咖啡色", "褐色"),
    "green": ("green", "绿色"),
    "emerald": ("emerald", "emerald green", "祖母绿", "翠绿色"),
    "olive": ("olive", "橄榄绿", "军绿色", "军绿"),
    "lime": ("lime", "青柠色", "荧光绿"),
    "mint": ("mint green", "薄荷绿"),
    "teal": ("teal", "蓝绿色", "水鸭色"),
    "turquoise": ("turquoise", "aqua", "绿松石色", "湖蓝色", "湖蓝"),
    "blue": ("blue", "蓝色"),
    "cobalt": ("cobalt", "cobalt blue", "钴蓝色"),
    "indigo": ("indigo", "靛蓝色", "靛蓝"),
    "royal blue": ("royal blue", "宝蓝色", "宝蓝"),
    "navy": ("navy", "navy blue", "藏青色", "藏青", "海军蓝", "藏蓝色", "藏蓝"),
    "sky blue": ("sky blue", "light blue", "天蓝色", "浅蓝色", "浅蓝"),
    "purple": ("purple", "紫色"),
    "violet": ("violet", "紫罗兰色"),
    "lavender": ("lavender", "lilac", "mauve", "薰衣草紫", "淡紫色"),
    "multicolour": ("multicolour", "multicolor", "multi-colour", "multi-color", "multicoloured", "multicolored",
                    "多色", "彩色"),
    "transparent": ("transparent", "透明"),
    "nude": ("nude", "裸色"),
    "copper": ("copper", "古铜色"),
    "bronze": ("bronze", "青铜色"),
    "rose gold": ("rose gold", "玫瑰金"),
}

#: A shade supports the broader word, never the other way round.
BROADER: dict[str, tuple[str, ...]] = {
    "navy": ("blue",), "sky blue": ("blue",), "turquoise": ("blue", "green"), "teal": ("blue", "green"),
    "maroon": ("red",), "scarlet": ("red",), "ruby": ("red",), "emerald": ("green",), "cobalt": ("blue",), "indigo": ("blue",), "royal blue": ("blue",), "burgundy": ("red",), "crimson": ("red",), "coral": ("pink", "orange"),
    "magenta": ("pink",), "olive": ("green",), "lime": ("green",), "mint": ("green",), "charcoal": ("grey",),
    "off-white": ("white",), "ivory": ("white",), "cream": ("white",), "mustard": ("yellow",), "rust": ("orange",),
    "violet": ("purple",), "lavender": ("purple",), "khaki": ("beige", "brown"), "tan": ("brown",),
    "rose gold": ("gold", "pink"),
    "stainless steel": ("steel", "metal"), "steel": ("metal",), "iron": ("metal",), "aluminium": ("metal",),
    "copper": ("metal",), "brass": ("metal",), "bronze": ("metal",), "zinc": ("metal",), "titanium": ("metal",),
    "alloy": ("metal",), "teak": ("wood",), "sheesham": ("wood",), "oak": ("wood",), "walnut": ("wood",), "mahogany": ("wood",), "pine": ("wood",), "terry": ("cotton",), "organic cotton": ("cotton",), "tempered glass": ("glass",), "sterling silver": ("silver",),
    "porcelain": ("ceramic",), "stoneware": ("ceramic",), "abs": ("plastic",), "polycarbonate": ("plastic",),
    "pvc": ("plastic",), "eva": ("plastic", "foam"), "engineered wood": ("wood",), "denim": ("cotton",),
    "marble": ("stone",), "cubic zirconia": ("stone",), "fleece": ("polyester",),
}

#: Verifiable product properties: what a model adds most often when it invents.
FEATURES: dict[str, tuple[str, ...]] = {
    "waterproof": ("waterproof", "water proof", "water-proof", "防水"),
    "water resistant": ("water resistant", "water-resistant", "water repellent", "splash proof", "splash-proof",
                        "防泼水", "防溅水", "泼水"),
    "windproof": ("windproof", "wind-proof", "wind proof", "防风"),
    "shockproof": ("shockproof", "shock-proof", "shock proof", "shock resistant", "shock-resistant", "防震", "抗震", "防摔"),
    "dustproof": ("dustproof", "dust-proof", "dust proof", "防尘"),
    "fireproof": ("fireproof", "fire-proof", "fire proof", "flame retardant", "fire resistant", "阻燃", "防火"),
    "scratch resistant": ("scratch resistant", "scratch-resistant", "scratchproof", "scratch-proof", "scratch proof", "防刮", "耐刮"),
    "stain resistant": ("stain resistant", "stain-resistant", "stain proof", "防污"),
    "wrinkle free": ("wrinkle free", "wrinkle-free", "wrinkle resistant", "non-iron", "免烫", "抗皱"),
    "uv protection": ("uv protection", "uv-protection", "uv resistant", "uv400", "upf", "spf", "防紫外线", "防晒"),
    "anti-bacterial": ("anti-bacterial", "antibacterial", "antimicrobial", "anti-microbial", "抗菌", "抑菌"),
    "hypoallergenic": ("hypoallergenic", "anti-allergy", "低致敏", "防过敏"),
    "breathable": ("breathable", "透气"),
    "quick dry": ("quick dry", "quick-dry", "quick drying", "fast drying", "速干", "快干"),
    "machine washable": ("machine washable", "machine wash", "machine-washable", "可机洗", "机洗"),
    "hand wash": ("hand wash", "hand-wash", "手洗"),
    "dry clean": ("dry clean", "dry-clean", "干洗"),
    "dishwasher safe": ("dishwasher safe", "dishwasher-safe", "可用洗碗机", "可洗碗机"),
    "microwave safe": ("microwave safe", "microwave-safe", "可微波炉", "微波炉适用"),
    "oven safe": ("oven safe", "oven-safe", "可进烤箱"),
    "non-stick": ("non-stick", "nonstick", "non stick", "不粘"),
    "bpa free": ("bpa free", "bpa-free", "不含双酚a", "无双酚a"),
    "non-toxic": ("non-toxic", "nontoxic", "无毒"),
    "rechargeable": ("rechargeable", "可充电", "充电式"),
    "wireless": ("wireless", "cordless", "无线"),
    "bluetooth": ("bluetooth", "蓝牙"),
    "wifi": ("wifi", "wi-fi", "无线网络"),
    "noise cancelling": ("noise cancelling", "noise canceling", "noise-cancelling", "anc", "降噪"),
    "touchscreen": ("touchscreen", "touch screen", "触屏", "触摸屏"),
    "foldable": ("foldable", "folding", "collapsible", "可折叠", "折叠"),
    "adjustable": ("adjustable", "可调节", "可调"),
    "reversible": ("reversible", "双面穿", "可双面"),
    "handmade": ("handmade", "hand-made", "handcrafted", "hand-crafted", "手工", "纯手工"),
    "organic": ("organic", "有机"),
    "vegan": ("vegan", "纯素"),
    "eco-friendly": ("eco-friendly", "eco friendly", "biodegradable", "recyclable", "环保", "可降解", "可回收"),
    "rust resistant": ("rust resistant", "rust-resistant", "rustproof", "rust-proof", "rust proof", "anti-rust", "防锈"),
    "anti-slip": ("anti-slip", "non-slip", "nonslip", "slip resistant", "slip-resistant", "防滑"),
    "insulated": ("insulated", "thermal", "保温", "保暖"),
    "lifetime": ("lifetime", "终身"),
}

CERTIFICATIONS: dict[str, tuple[str, ...]] = {
    "ce": ("ce certified", "ce marked", "ce mark", "ce认证"),
    "fcc": ("fcc",), "rohs": ("rohs",), "ul": ("ul listed", "ul certified", "ul认证"), "etl": ("etl",),
    "fda": ("fda", "fda approved", "fda-approved"), "bis": ("bis", "bis certified", "bis hallmark"),
    "isi": ("isi", "isi marked"), "hallmark": ("hallmark", "hallmarked"), "iso": ("iso",),
    "astm": ("astm",), "en71": ("en71", "en 71"), "cpsia": ("cpsia", "cpsc"), "oeko-tex": ("oeko-tex", "oekotex"),
    "gots": ("gots",), "fsc": ("fsc",), "energy star": ("energy star",), "ccc": ("ccc", "3c认证", "3c"),
    "ip rating": ("ip67", "ip68", "ip65", "ip54", "ipx4", "ipx5", "ipx6", "ipx7", "ipx8"),
    "certified": ("certified", "certification", "approved by", "认证", "检测合格", "质检合格"),
    "clinically tested": ("clinically tested", "clinically proven", "dermatologically tested", "lab tested",
                          "lab-tested", "临床测试", "皮肤测试"),
    "patented": ("patented", "专利"),
    "award": ("award-winning", "award winning", "获奖"),
}


class Lexicon:
    """Finds the entries of one vocabulary in a text, longest spelling first."""

    def __init__(self, entries: dict[str, tuple[str, ...]]) -> None:
        self.entries = entries
        spelling = {s.lower(): canon for canon, spellings in entries.items() for s in (canon, *spellings)}
        self._canon = spelling
        latin = sorted((s for s in spelling if s.isascii()), key=len, reverse=True)
        cjk = sorted((s for s in spelling if not s.isascii()), key=len, reverse=True)
        parts = []
        if latin:
            parts.append(r"(?<![\w-])(?:" + "|".join(re.escape(s) for s in latin) + r")(?![\w-]|-(?:\w))")
        if cjk:
            parts.append("(?:" + "|".join(re.escape(s) for s in cjk) + ")")
        self._pattern = re.compile("|".join(parts), re.IGNORECASE)

    def find(self, text: str) -> list[tuple[str, int, int]]:
        """``(canonical, start, end)`` for each mention, left to right, never overlapping."""
        return [(self._canon[m.group(0).lower()], m.start(), m.end()) for m in self._pattern.finditer(text)]

    def canonical(self, text: str) -> set[str]:
        return {c for c, _, _ in self.find(text)}


@lru_cache(maxsize=1)
def materials() -> Lexicon:
    return Lexicon(MATERIALS)


@lru_cache(maxsize=1)
def colours() -> Lexicon:
    return Lexicon(COLOURS)


@lru_cache(maxsize=1)
def features() -> Lexicon:
    return Lexicon(FEATURES)


@lru_cache(maxsize=1)
def certifications() -> Lexicon:
    return Lexicon(CERTIFICATIONS)


def broader(canonical: set[str]) -> set[str]:
    """The names themselves and everything they imply ("navy" -> "blue"; "stainless steel" -> "steel", "metal")."""
    out = set(canonical)
    frontier = list(canonical)
    while frontier:
        for parent in BROADER.get(frontier.pop(), ()):
            if parent not in out:
                out.add(parent)
                frontier.append(parent)
    return out
