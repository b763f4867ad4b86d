"""What the Open311 GeoReport v2 API shows about complaint types and new complaints.

A province's system shows these to its own users (officers, or citizens of
its app), so they are written like the bot's other sentences.
"""

OPEN311_GROUP = "Phản ánh, kiến nghị"
# one line per complaint category (handlers/feedback_core.py categories())
OPEN311_SERVICE_DESCRIPTIONS = {
    "thai-do": "Phản ánh về thái độ, tác phong phục vụ của cán bộ khi tiếp nhận, giải quyết công việc.",
    "ho-so": "Phản ánh về việc tiếp nhận, giải quyết hồ sơ thủ tục hành chính (chậm, sai, thiếu hướng dẫn).",
    "ha-tang": "Phản ánh về hạ tầng và môi trường: đường sá, điện chiếu sáng, cấp thoát nước, rác thải.",
    "an-ninh": "Phản ánh về an ninh, trật tự trên địa bàn (việc khẩn cấp xin báo ngay cho công an).",
    "khac": "Các phản ánh, kiến nghị khác gửi Ủy ban nhân dân xã/phường.",
}
OPEN311_SERVICE_KEYWORDS = {
    "thai-do": "thái độ, cán bộ, tác phong, phục vụ",
    "ho-so": "hồ sơ, thủ tục, một cửa, trễ hẹn",
    "ha-tang": "đường, điện, nước, rác, môi trường, ô nhiễm",
    "an-ninh": "an ninh, trật tự, tiếng ồn, lấn chiếm",
    "khac": "khác, kiến nghị",
}
OPEN311_SERVICE_NOTICE = (
    "{office} đã tiếp nhận phản ánh, mã {code}. Cán bộ sẽ xem xét và trả lời trong {days} ngày "
    "làm việc (dự kiến trước ngày {due})."
)
