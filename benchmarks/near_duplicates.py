"""Choosing the near-duplicate rule: Jaccard similarity of character shingles on hand-made pairs.

    .venv/bin/python benchmarks/near_duplicates.py

Every text here is invented for this script. Each base story comes in versions as two sites
would carry it (the positives): another dateline and byline, a paragraph added, the last
paragraph cut, sentences reworded, numbers written differently, only the first half kept. Each
also has a different story on the same subject (the negatives): same place, same people, same
vocabulary, another event. For shingle sizes 2-6 the script prints the lowest positive and the
highest negative similarity, the gap between them, and precision/recall at thresholds 0.3-0.7;
then the chosen rule (bot.sources.near_duplicates) on these pairs, and its MinHash LSH recall
(a positive whose bands never collide is missed however similar it is).

The seed pages' articles (14 different stories from one district paper, much shared
vocabulary) are added as further negatives.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.sources import near_duplicates as nd  # noqa: E402

STORIES = {
    "library": [
        "本报讯（记者 林晓）东湖区图书馆从下月一日起延长开放时间，工作日闭馆时间由下午五点推迟到晚上九点，周末全天开放。",
        "馆长周明介绍，延长开放是根据读者问卷调查作出的决定。去年全馆共发放问卷两千份，超过六成的读者希望晚上也能来馆借书、自习。",
        "为配合新的开放时间，图书馆新招募了二十名志愿者，在晚间协助读者办理借还手续，并增设了自助借还机四台。",
        "图书馆还计划在三楼开辟安静自习区，提供一百二十个座位，读者可通过公众号提前预约。",
    ],
    "bridge": [
        "本报讯（记者 韩松）横跨青河的新港大桥昨天完成主体合龙，预计明年春天通车，届时两岸车程将由四十分钟缩短到十分钟。",
        "新港大桥全长一千二百米，双向六车道，两侧各设一条非机动车道和人行道。大桥采用斜拉结构，主塔高一百零八米。",
        "项目负责人表示，施工期间遇到了两次汛期，施工方调整了作业计划，确保了工程质量和工期。",
        "大桥通车后，青河北岸的产业园区与南岸老城区之间的货运将不再绕行，沿线居民出行也将更加方便。",
    ],
    "market": [
        "本报讯（记者 苏青）位于城南的老菜市场改造完工，昨天重新开业。改造后的市场面积扩大到三千平方米，摊位增加到一百八十个。",
        "市场按照蔬菜、肉类、水产、熟食分区布局，地面全部铺设防滑地砖，并安装了新的排水和通风系统。",
        "每个摊位都配备了电子秤和价格显示屏，顾客可以扫码查看商品产地和检测结果。",
        "不少老顾客一早就来到市场。家住附近的刘阿姨说，以前市场地面湿滑、气味难闻，现在干净明亮，买菜也放心了。",
    ],
    "flood": [
        "本报讯（记者 陈刚）受持续强降雨影响，西岭镇部分村庄出现内涝。镇政府连夜组织人员转移群众三百余人，目前未发生人员伤亡。",
        "据气象部门统计，过去四十八小时西岭镇累计降雨量达到二百一十毫米，为有记录以来同期最高。",
        "镇里启用了五处临时安置点，为转移群众提供食物、饮用水和药品，卫生院派出医护人员驻点巡诊。",
        "水利部门正在加紧排涝，预计两天内积水可以基本排除。镇政府提醒村民雨停后不要急于返回，待房屋安全检查后再回家。",
    ],
    "school": [
        "本报讯（记者 王蕾）今年秋季学期，全市五十所中小学将开设课后编程兴趣班，每周两次，学生自愿报名，不收取费用。",
        "市教育局介绍，兴趣班由学校信息技术教师和高校志愿者共同授课，内容包括图形化编程、简单机器人制作等。",
        "为保证教学质量，教育局为试点学校配备了一千套教学用计算机，并组织授课教师参加为期两周的集中培训。",
        "有家长表示，孩子放学后有了去处，还能学到新知识，希望兴趣班能够长期办下去。",
    ],
    "orchard": [
        "本报讯（记者 赵田）眼下正是梨子成熟的季节，北山村三百亩梨园迎来丰收，预计今年产量比去年增加两成。",
        "村党支部书记孙强说，前几年村里引进了新品种，并请农技专家定期来指导修剪和病虫害防治，梨子的品质明显提升。",
        "今年村里还和电商平台合作开设网店，游客既可以到园里采摘，也可以在网上下单，梨子两天内就能送到城里。",
        "丰收季期间，村里举办采摘节，吸引了不少城里的家庭周末前来体验，带动了农家乐和土特产的销售。",
    ],
}

# Different stories on the same subject: same places and people, another event.
RELATED = {
    "library": [
        "本报讯（记者 林晓）东湖区图书馆昨天举办亲子阅读活动，五十多个家庭参加。馆长周明为孩子们讲了一个关于星空的故事。",
        "活动中，志愿者带领孩子们制作书签，家长们则交流了在家陪孩子读书的经验。",
        "图书馆表示，亲子阅读活动今后每月举办一次，读者可通过公众号报名，每场限三十个家庭。",
    ],
    "bridge": [
        "本报讯（记者 韩松）青河上的老港桥将于下月起封闭检修，为期三个月。检修期间，过河车辆需绕行新港大桥施工便道。",
        "交通部门介绍，老港桥建成已有三十年，此次主要更换桥面铺装和伸缩缝，并对桥墩进行加固。",
        "检修期间，青河两岸将增开两条公交线路，方便居民出行。交警部门将在绕行路段增派警力疏导交通。",
    ],
    "market": [
        "本报讯（记者 苏青）城南老菜市场附近的停车难问题有了解决办法。街道在市场东侧新建了一个停车场，提供车位一百二十个。",
        "停车场实行前半小时免费，方便顾客买菜。街道还在市场周边道路施划了非机动车停放区。",
        "市场管理方表示，停车场开放后，周边道路的拥堵情况将得到缓解，顾客购物也将更加方便。",
    ],
    "flood": [
        "本报讯（记者 陈刚）西岭镇今年投资八百万元，对镇区排水管网进行改造，新铺设雨水管道六公里，改造后排涝能力将提高一倍。",
        "镇政府负责人介绍，镇区部分管网建于上世纪九十年代，管径小、淤积多，每逢强降雨就容易积水。",
        "工程计划在汛期前完工，施工期间部分路段将实行半幅通行，请过往车辆注意绕行。",
    ],
    "school": [
        "本报讯（记者 王蕾）全市中小学生机器人比赛昨天落幕，来自五十所学校的三百名学生参加了比赛。",
        "比赛分为小学组和中学组，学生们需要在规定时间内让自己制作的机器人完成搬运、避障等任务。",
        "市教育局表示，比赛的目的是激发学生对科学的兴趣，今后将继续在中小学推广编程和机器人教育。",
    ],
    "orchard": [
        "本报讯（记者 赵田）北山村新修的进村公路昨天通车，全长八公里，村民进城的时间缩短了一半。",
        "村党支部书记孙强说，以前路窄坡陡，一到下雨天，梨子和其他农产品就很难运出去，公路修通后运输成本大大降低。",
        "公路沿线还设置了观景台和停车点，方便游客到村里采摘游玩。",
    ],
}

EXTRA = "记者在现场看到，不少市民专程赶来，有人拿出手机拍照留念，现场气氛热烈。相关部门表示将继续听取群众意见，把这件事办好。"


def _reword(paragraph: str) -> str:
    swaps = [("昨天", "日前"), ("表示", "称"), ("介绍", "说"), ("预计", "估计"), ("目前", "眼下"), ("还", "也")]
    for old, new in swaps:
        paragraph = paragraph.replace(old, new, 1)
    return paragraph


def versions(story: list[str]) -> dict[str, list[str]]:
    """The same story as other sites carry it."""
    wire = ["新华社电（记者 佚名）" + story[0].split("）", 1)[1], *story[1:]]
    return {
        "other dateline": wire,
        "paragraph added": [*story, EXTRA],
        "end cut": story[:-1],
        "reworded": [_reword(p) for p in story],
        "reworded + end cut": [_reword(p) for p in wire[:-1]],
        "first half only": story[: max(2, len(story) // 2)],
        "numbers rewritten": [p.replace("二十", "20").replace("一百", "100").replace("三百", "300") for p in story],
    }


def pairs() -> tuple[list[tuple[str, list[str], list[str]]], list[tuple[str, list[str], list[str]]]]:
    positives = [
        (f"{name}: {label}", story, version)
        for name, story in STORIES.items()
        for label, version in versions(story).items()
    ]
    negatives = [(f"{name}: same subject, other story", STORIES[name], RELATED[name]) for name in STORIES]
    negatives += [(f"{a} vs {b}", STORIES[a], STORIES[b]) for a, b in itertools.combinations(STORIES, 2)]
    negatives += [(f"{a} vs related {b}", RELATED[a], RELATED[b]) for a, b in itertools.combinations(RELATED, 2)]
    return positives, negatives


def seed_negatives() -> list[tuple[str, list[str], list[str]]]:
    from bot.corpus.pages import parse_page
    from bot.corpus.textfiles import read_page_file

    pieces = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        text, _ = read_page_file(path, 5_000_000)
        pieces += [
            (path.stem, p.title, p.paragraphs()) for p in parse_page(text, path.name).pieces if p.kind == "article"
        ]
    return [(f"seed: {a[1][:8]} vs {b[1][:8]}", a[2], b[2]) for a, b in itertools.combinations(pieces, 2)]


def main() -> None:
    positives, negatives = pairs()
    negatives += seed_negatives()
    print(
        f"{len(positives)} same-story pairs, {len(negatives)} different-story pairs (of which seeds: "
        f"{len(seed_negatives())})\n"
    )
    print(f"{'shingle':>7} {'min same':>9} {'max diff':>9} {'gap':>6}   precision/recall at 0.3 0.4 0.5 0.6 0.7")
    for k in range(2, 7):
        pos = [nd.jaccard(nd.shingles(a, k), nd.shingles(b, k)) for _, a, b in positives]
        neg = [nd.jaccard(nd.shingles(a, k), nd.shingles(b, k)) for _, a, b in negatives]
        cells = []
        for t in (0.3, 0.4, 0.5, 0.6, 0.7):
            tp = sum(s >= t for s in pos)
            fp = sum(s >= t for s in neg)
            cells.append(f"{(tp / (tp + fp) if tp + fp else 1):.2f}/{tp / len(pos):.2f}")
        print(f"{k:>7} {min(pos):>9.3f} {max(neg):>9.3f} {min(pos) - max(neg):>6.3f}   " + " ".join(cells))
    k, t = nd.SHINGLE, nd.THRESHOLD
    print(
        f"\nchosen: {k}-character shingles, Jaccard >= {t}, MinHash {nd.NUM_PERM} permutations in "
        f"{nd.BANDS} bands of {nd.ROWS}"
    )
    for label, a, b in positives:
        s = nd.jaccard(nd.shingles(a), nd.shingles(b))
        collide = bool(set(nd.band_keys(nd.shingles(a))) & set(nd.band_keys(nd.shingles(b))))
        flag = "" if s >= t and collide else "   <- MISSED"
        print(f"  same  {s:.3f} {'LSH hit ' if collide else 'LSH miss'} {label}{flag}")
    collisions = sum(
        bool(set(nd.band_keys(nd.shingles(a))) & set(nd.band_keys(nd.shingles(b)))) for _, a, b in negatives
    )
    print(f"  different-story pairs that share an LSH band (verified and rejected): {collisions}/{len(negatives)}")
    worst = sorted(negatives, key=lambda n: -nd.jaccard(nd.shingles(n[1]), nd.shingles(n[2])))[:8]
    for label, a, b in worst:
        s = nd.jaccard(nd.shingles(a), nd.shingles(b))
        print(f"  diff  {s:.3f} {label}{'   <- FALSE MATCH' if s >= t else ''}")


if __name__ == "__main__":
    main()
