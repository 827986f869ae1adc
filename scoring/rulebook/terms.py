"""The rulebook's other terms: what the plan's verbs mean, exits, scopes, districts, how sure a verdict
is, its primary cause (with what would change it) and the figures a verdict rests on."""

from __future__ import annotations

from types import MappingProxyType as Texts

from scoring.rulebook.model import Entry

MERGE = Entry("action.merge", "调整措施", "撤并",
              "撤销或合并：服务禁止和限制发展产业的专业停止招生后撤销，或并入相近的专业，在校生培养完毕。",
              threshold="列入禁限目录（停止新设、限制招生）的专业，由学校按目录提出撤销或合并方案")
EXIT = Entry("action.exit", "退出", "撤销（专业点退出）",
             "学校的专业点连续多年无招生，或所在区不再举办职业教育，予以撤销。",
             threshold="连续 {rules.exit_zero_enrolment_years:g} 年（含最新年份）无招生",
             todo="如仍计划招生，请在征求意见期内向市教委说明并提交招生计划；否则办理撤销手续。",
             texts=Texts({"flag": "退出", "ruled_out": "本校该专业连续{n}年（{first}—{latest}年）无招生，按规则予以退出",
                          "lift": "恢复招生可解除退出提示"}))
NO_VOCATIONAL = Entry("district.no_vocational", "区", "不再举办职业教育的区",
                      "这些区的学校不再举办职业教育：每个专业点都标注“所在区不再举办职业教育”，需疏解转移或停办。",
                      threshold="{no_vocational:list}", policy_keys=("districts.no_vocational",),
                      todo="与市教委和区教委沟通疏解转移安排。",
                      texts=Texts({"flag": "不再举办职业教育",
                                   "reason": "，按规则{no_vocational:list}不再举办职业教育，该专业点需疏解转移或停办",
                                   "lift": "所在区不再举办职业教育，须疏解转移或停办（指标变化不能解除）"}))
SCHOOL_EMPLOYMENT = Entry(
    "school.employment_below", "本校提示", "毕业去向落实率低于下限",
    "本校该专业毕业去向落实率低于 {rules.employment_floor:pct}；全市该专业落实率{rules.employment_red_years:years}"
    "低于下限的，缩减招生。",
    threshold="本校最新一年毕业去向落实率低于 {rules.employment_floor:pct}",
    todo="加强就业指导和校企合作，提高落实率；核对上报的毕业去向数据。",
    texts=Texts({"flag": "毕业去向落实率低于"}))
OBJECTION = Entry("review.objection", "复核", "异议与复核",
                  "征求意见期内，学校对本校专业点的判定及其依据有异议的，可提出异议；市教委逐件决定，"
                  "采纳的异议在正式版中调整并注明“复核调整”。", threshold="征求意见期内")

NEW_MAJOR = Entry(
    "major.new", "专业状态", "新设专业",
    "首次招生或经专业目录增补未满一个学制的专业：尚无毕业生，不作毕业去向和招生趋势预警，只按产业清单、布点数量和人才需求"
    "判定；各项计数中单列。", threshold="首次招生（或增补）后未满学制年限（中职、高职专科 3 年，职业本科 4 年）",
    texts=Texts({"增补": "{since}年增补专业，首届毕业生预计{graduates}年",
                 "新开设": "{since}年首次招生的新设专业，首届毕业生预计{graduates}年",
                 "no_employment": "尚无毕业生，暂不作毕业去向预警",
                 "counted": "尚无毕业生，不作毕业去向和招生趋势预警，只按产业清单、布点数量和人才需求判定"}))
DATA_GAP = Entry(
    "data.gap", "数据说明", "数据缺年",
    "按年报送的数据（招生、毕业去向、人才供需、招聘信息）在首末年份之间缺少整年的：缺失年份不按零计，跨越缺年的趋势按"
    "缺年前后最近的年份计算并注明；缺少的年份在运行摘要、数据检查、公报的数据说明和所涉专业的依据中列明。",
    threshold="某项数据的首末年份之间缺少整年数据",
    texts=Texts({"series": "{what}缺少{years}年数据",
                 "trend": "{what}{years}年数据缺失，趋势按{before}→{after}年计算",
                 "no_trend": "{what}{years}年数据缺失，{trend}未计算（缺失年份不按零计）",
                 "rates": "毕业去向{years}年数据缺失，不作连续年份判断",
                 "bulletin": "下列数据缺少整年：{found}。缺失年份不按零计；跨越缺年的趋势按缺年前后最近的年份计算，"
                             "并在所涉专业的依据中注明。",
                 "none": "各项按年报送的数据在其首末年份之间均无缺年。"}))
RENUMBERED = Entry(
    "major.renumbered", "专业状态", "专业代码变更",
    "专业目录修订后代码变更、合并或拆分的专业：各校在原专业代码下的招生、毕业和就业数据随现专业代码计算；合并的相加，"
    "拆分的按拆分比例分摊（四舍五入到人；学校只开设其中部分新专业的，按比例并入所开设的专业），依据中注明原专业代码。",
    threshold="专业目录的“原专业代码”或代码变更表中的专业代码变更",
    texts=Texts({"renumbered": "原专业代码 {old}，历史数据已并入",
                 "merged": "原专业代码 {old} 合并为本专业，历史数据已并入",
                 "split": "{since}原专业代码 {old} 按 {share:pct} 比例拆分，历史数据已按比例并入",
                 "split_equal": "原专业代码 {old} 拆分为多个专业，未给出本专业的拆分比例，历史数据按 {share:pct} 并入",
                 "change": "代码变更"}))
CITYWIDE = Entry("scope.city", "适用区域", "全市", "在本市所有区的学校适用。")
ZONE = Entry("scope.zone", "适用区域", "{zone}", "功能区，仅对位于 {districts:list} 的学校适用。", policy_keys=("zones",))
DISTRICT = Entry("scope.district", "适用区域", "区名（如 朝阳区）", "仅对位于该区的学校适用。",
                 texts=Texts({"guidance": "{scope}的学校适用「{guidance}」（{lists}{category}占比 {share:pct}）",
                              "school": "本校位于{district}，适用{scope}的指导类别「{guidance}」"}))

SURE = Entry("certainty.sure", "结论确定性", "确定",
             "各项数据在其误差范围内变动时，预警等级和限制都不会改变，且各项证据充分。")
WATCH = Entry("certainty.watch", "结论确定性", "临界",
              "数据在其误差范围内变动时，预警等级或限制可能改变（风险分值或毕业去向落实率的 95% 区间跨越预警阈值）："
              "列入观察名单。",
              texts=Texts({"note": "临界：{found}，结论可能在「{best}」与「{worst}」之间变动",
                           "rate": "{year}毕业去向落实率区间 {low:pct1}–{high:pct1} 跨越 {rules.employment_floor:pct}",
                           "score": "风险分值区间 {low:.1f}–{high:.1f} 跨越{line_name} {line:g}",
                           "mapping": "专业—行业对应为模型推断（置信度 {confidence:.2f}）",
                           "mapping_unknown": "专业—行业对应为模型推断",
                           "fallback": "输入数据的误差范围跨越预警规则的阈值",
                           "short": "结论处于临界，列入观察名单"}))
THIN = Entry("certainty.thin", "结论确定性", "证据不足",
             "样本少于最低要求的指标（毕业生不足 {evidence.min_graduates:g} 人、对应需求不足 {evidence.min_demand:g} 人、"
             "基准年招生不足 {evidence.min_enrolled:g} 人，合并最近 {evidence.pool_years:g} 年计算）不计分、不据此预警。")
CERTAINTY = (SURE, WATCH, THIN)

LISTS = Entry("cause.lists", "主要原因", "产业清单", "对应行业列入禁止、限制、调整转型或疏解转移类清单。",
              texts=Texts({"decided": "对应行业多属{lists}所列调整转型或疏解转移类",
                           "counterfactual": "对应行业中禁止、限制类合计占比降至 {value:pct1} 及以下"
                                             "（需调整专业—行业对应，须经市教委确认）"}))
DEMAND = Entry("cause.demand", "主要原因", "人才需求", "对应行业（或职业）的求人倍率偏低或下降。",
               texts=Texts({"decided": "人才需求偏弱：求人倍率 {ratio:f2}{change}",
                            "counterfactual": "求人倍率升至 {value:f2} 及以上"}))
EMPLOYMENT = Entry("cause.employment", "主要原因", "毕业去向", "全市该专业毕业去向落实率偏低。",
                   texts=Texts({"decided": "{year}年毕业去向落实率 {rate:pct1}，低于 {rules.employment_floor:pct}",
                                "counterfactual": "毕业去向落实率达到 {value:pct1} 及以上"}))
ENROLMENT = Entry("cause.enrolment", "主要原因", "招生萎缩", "近三年全市招生人数明显下降。",
                  texts=Texts({"decided": "近三年全市招生人数{change}",
                               "counterfactual": "全市招生人数较{base}年的降幅收窄到 {drop:pct1} 及以内",
                               "recovered": "全市招生人数恢复到{base}年水平"}))
SATURATION = Entry("cause.saturation", "主要原因", "布点过多", "全市开设该专业的学校过多。",
                   texts=Texts({"decided": "全市已有 {n} 所学校开设该专业，布点过多",
                                "counterfactual": "全市开设学校减至 {value:g} 所及以下"}))
DISTRICT_CAUSE = Entry("cause.district", "主要原因", "所在区", "学校所在区不再举办职业教育。",
                       policy_keys=("districts.no_vocational",))
REVIEW = Entry("cause.review", "主要原因", "人工复核",
               "专业—行业对应为模型推断，所对应行业多属禁止、限制类，有待市教委人工确认（模型推断不单独据以列入禁限目录）。",
               texts=Texts({"decided": "专业—行业对应为模型推断，所对应行业多属禁止、限制类，有待市教委人工确认",
                            "not_listed": "模型推断的对应行业中禁止、限制类合计 {share:pct}，未据此列入禁限目录"}))
CAUSES = (LISTS, DEMAND, EMPLOYMENT, ENROLMENT, SATURATION, DISTRICT_CAUSE, REVIEW)

SCORE = Entry("figure.score", "分值", "风险分值",
              "0–100，越高风险越大；由行业清单、人才供需、毕业去向、招生趋势和布点数量各部分相加，高精尖和城市服务紧缺减分。",
              threshold="红色预警线 {rules.red_score:g}，黄色预警线 {rules.yellow_score:g}")
RATIO = Entry("figure.ratio", "指标", "求人倍率", "岗位需求人数 ÷ 求职人数；大于 1 表示岗位多于求职者。",
              threshold="不低于 {curves.demand_ratio_no_risk:g} 时需求部分不计分")
RATE = Entry("figure.employment_rate", "指标", "毕业去向落实率", "已落实去向的毕业生 ÷ 毕业生人数，全市同专业合计。",
             threshold="低于 {rules.employment_floor:pct} 触发预警")
FIGURES = (SCORE, RATIO, RATE)

# 求人倍率 by channel (issue 29): what each source of demand measures, said once for the bulletin, the full basis and
# the 名词解释 (scoring/channels.py fills the texts).
PES_CHANNEL = Entry(
    "channel.pes", "指标", "求人倍率（公共就业服务机构）",
    "公共就业服务机构（人力资源市场）登记的岗位需求人数 ÷ 登记的求职人数；只计在机构登记的岗位和求职者，不含只在网上招聘的岗位。"
    "人力资源社会保障部“最缺工的100个职业”也来自这些机构，但它是按缺口排出的名次，不是倍率，名次不当作求人倍率使用。",
    texts=Texts({"basis": "{industry}：求人倍率 {ratio:f2}（公共就业服务机构，{year}年）",
                 "none": "{industry}：公共就业服务机构无数据",
                 "no_supply": "{industry}：公共就业服务机构无求职数据，不计算求人倍率"}))
POSTINGS_CHANNEL = Entry(
    "channel.postings", "指标", "网络招聘人数（去重）",
    "网络招聘信息中，同一年标题、描述和工作区域都相同的信息只计一次，按行业汇总招聘人数；未标行业的信息按模型推断的行业计入。"
    "网络招聘没有求职人数，不计算求人倍率，只列人数和较上年同期的增减；增减也受各年收集到的招聘信息多少影响。",
    texts=Texts({"basis": "网络招聘 {openings:,} 人（{year}年，去重）{growth}", "none": "无网络招聘数据",
                 "up": "，较上年同期增长 {share:pct1}", "down": "，较上年同期下降 {share:pct1}",
                 "flat": "，与上年同期持平"}))
CHANNEL_COVERAGE = Entry(
    "channel.coverage", "指标", "需求渠道覆盖面",
    "各渠道有最新年份数据的行业大类（职业）占全部行业大类（职业）的比例；两个渠道都有上年同期数据的行业大类，比较需求变化的方向。",
    texts=Texts({
        "note": "需求数据有两个渠道，口径不同：本节的求人倍率来自公共就业服务机构登记的岗位和求职者；网络招聘信息只有岗位、"
                "没有求职人数，只列去重后的招聘人数和增减，不计算倍率。{posting_year}年网络招聘去重后 {openings:,} 人"
                "（去掉重复信息 {duplicates:,} 条）。覆盖面：全部 {units} 个行业大类中，公共就业服务机构数据覆盖 {pes_units} 个"
                "（{pes_share:pct1}），网络招聘覆盖 {posting_units} 个（{posting_share:pct1}）；{occupations} 个职业中，"
                "公共就业服务机构数据覆盖 {occupation_units} 个（{occupation_share:pct1}），网络招聘信息没有职业编码，不按职业统计。",
        "direction": "两个渠道都有上年同期数据的行业大类 {compared} 个，其中 {opposite} 个两个渠道的需求变化方向相反"
                     "（见“{caption}”表）。",
        "caption": "两个渠道的行业大类需求对照",
        "no_direction": "两个渠道都有上年同期数据的行业大类还没有，暂不比较需求变化的方向。",
        "no_postings": "本期没有网络招聘信息，需求只有公共就业服务机构一个渠道：全部 {units} 个行业大类中覆盖 {pes_units} 个"
                       "（{pes_share:pct1}），{occupations} 个职业中覆盖 {occupation_units} 个（{occupation_share:pct1}）。",
    }))
CHANNELS = (PES_CHANNEL, POSTINGS_CHANNEL, CHANNEL_COVERAGE)
# 往年预警回溯 (issue 29 item 3): what counts as a decline after a flag, for the back-test and the track record alike
DECLINE_ENROLMENT = 0.10  # citywide enrolment down by this share or more
DECLINE_EMPLOYMENT = 0.05  # 毕业去向落实率 down by this much (5 percentage points) or more
TRACK_YEARS = 3  # the bulletin looks back at the flags of the last three data years
TRACK = Entry(
    "track.record", "往年预警回溯", "往年预警回溯",
    "回看往年列为红色或黄色预警的专业到最新年份的去向：下降（全市招生人数或毕业去向落实率下降）、撤销或停招（全市已无招生）、"
    "恢复（未下降，且本版不再预警）、仍在预警（未下降，本版仍为红色或黄色预警）；并与两个简单基线比较：同期开设的全部专业"
    "（基准比例）和上一年招生或落实率已经下降的专业（沿用上年变化）。往年已发布目录的，用当年实际发布的预警；没有的，"
    "按现行规则只用当年及以前的数据回算。",
    threshold=(f"下降：全市招生人数减少 {DECLINE_ENROLMENT * 100:g}% 及以上，或毕业去向落实率下降 "
               f"{DECLINE_EMPLOYMENT * 100:g} 个百分点及以上（两年的毕业生都达到证据要求时才比较落实率）；"
               f"回看最近 {TRACK_YEARS} 个数据年份"),
    source="majorwatch 默认值（统计口径，参照美国劳工统计局公布往年预测与简单基线比较的做法）",
    texts=Texts({
        "flagged": "{year}年（{n}年前）列为红色或黄色预警的专业共 {majors} 个（{source}）。到{latest}年，其中 {declined} 个"
                   "招生或毕业去向落实率下降，{closed} 个撤销或停招，{recovered} 个恢复，{still} 个仍在预警。",
        "none_flagged": "{year}年（{n}年前）没有列为红色或黄色预警的专业（{source}）。",
        "compare": "被预警专业随后下降或撤销、停招的比例为 {share:pct1}，是同期全部专业（{base:pct1}，基准比例）的 {lift:f2} 倍；"
                   "{carry}",
        "compare_no_base": "被预警专业随后下降或撤销、停招的比例为 {share:pct1}，同期全部专业为 {base:pct1}（基准比例）；{carry}",
        "carry": "上一年已经下降的专业随后为 {carry_share:pct1}（沿用上年变化）。",
        "carry_none": "上一年没有已经下降的专业，沿用上年变化无从比较。",
        "beats_both": "这一年的预警好于两个简单基线。",
        "beats_base": "这一年的预警好于基准比例，但不如沿用上年变化。",
        "beats_none": "这一年的预警没有好于基准比例。",
        "short": "数据年份不足，暂无法回溯往年预警（需要预警年份的前一年和后一年的数据）。",
        "missing": "{year}年（{n}年前）缺少回溯所需的数据（预警年份及其前一年的招生就业），未回溯。",
        "published": "当年发布的目录", "backtest": "按现行规则、只用当年及以前的数据回算",
        "flags": "本市预警（红、黄）", "carry_forward": "基线：沿用上年变化", "base_rate": "基线：全部专业",
        "chart": "到{latest}年的去向，占各组专业数的百分比", "share": "下降或撤销、停招比例",
    }))
