"""Subscriptions and announcements."""

from __future__ import annotations

# ---- subscriptions and broadcasts
CMD_DANGKY = "Đăng ký nhận thông báo của xã, phường"
CMD_HUY = "Hủy đăng ký nhận thông báo"
CMD_THONGBAO = "Gửi thông báo tới người dân (cán bộ)"
SUB_TOPICS = {
    "chung": "Thông báo chung",
    "tiepdan": "Lịch tiếp công dân",
    "thutuc": "Thủ tục mới hoặc thay đổi",
    "duan": "Dự án và giải phóng mặt bằng",
    "yte": "Y tế - giáo dục",
    "luadao": "Cảnh báo lừa đảo",
}
SUB_INTRO = (
    "Xin phép anh/chị: tôi chỉ gửi thông báo của {office} khi anh/chị tự chọn đăng ký, "
    "và anh/chị có thể hủy bất cứ lúc nào bằng lệnh /huy.\n"
    "Anh/chị bấm vào các chủ đề muốn nhận (bấm lần nữa để bỏ chọn), rồi bấm «Xong»."
)
SUB_CHECKED = "✅ {label}"
SUB_UNCHECKED = "⬜ {label}"
SUB_AREA_BUTTON = "Khu vực: {area}"
SUB_AREA_NONE = "chưa chọn"
SUB_DONE = "Xong"
SUB_CANCEL = "Không đăng ký nữa"
SUB_AREA_PROMPT = (
    "Anh/chị có muốn nhận thêm thông báo riêng của thôn, tổ dân phố nơi mình ở không? "
    "Xin mời chọn, hoặc bấm «Không chọn khu vực»."
)
SUB_AREA_SKIP = "Không chọn khu vực"
SUB_NOTHING_CHOSEN = (
    "Anh/chị chưa chọn chủ đề nào. Xin mời bấm vào ít nhất một chủ đề rồi bấm «Xong», "
    "hoặc bấm «Không đăng ký nữa»."
)
SUB_SAVED = "Xin cảm ơn anh/chị đã đăng ký! {now}"
SUB_NOW = "Hiện anh/chị đang nhận thông báo về: {topics}."
SUB_NOW_AREA = " Khu vực: {area}."
SUB_NONE = "Hiện anh/chị chưa đăng ký nhận thông báo nào. Anh/chị có thể đăng ký bằng lệnh /dangky."
SUB_AREA_ADDED_GENERAL = (
    "(Anh/chị chọn khu vực nên tôi đăng ký thêm mục «Thông báo chung» để anh/chị nhận được tin của khu vực.)"
)
SUB_KEPT = "Dạ, tôi giữ nguyên đăng ký của anh/chị. {now}"
UNSUB_PROMPT = "Anh/chị muốn hủy nhận thông báo nào? {now}"
UNSUB_ALL = "Hủy tất cả"
UNSUB_ONE = "Hủy «{label}»"
UNSUB_AREA = "Bỏ khu vực «{area}»"
UNSUB_KEEP = "Giữ nguyên"
UNSUB_DONE_ALL = (
    "Dạ, tôi đã hủy toàn bộ đăng ký. Anh/chị sẽ không nhận thông báo nào nữa. "
    "Nếu muốn nhận lại, anh/chị gõ /dangky."
)
UNSUB_DONE_ONE = "Dạ, tôi đã hủy mục «{label}». {now}"
UNSUB_DONE_AREA = "Dạ, tôi đã bỏ khu vực «{area}». {now}"

BC_ASK_TEXT = (
    "Soạn thông báo gửi người dân. Xin mời gửi nội dung thông báo bằng chữ "
    "(nếu cần kèm một ảnh, gửi ảnh trước rồi gửi chữ). Gõ «hủy» hoặc bấm «Hủy bỏ» để dừng."
)
BC_USE_BUTTONS = "Xin mời chọn một nút ở trên, hoặc gõ «hủy» để bỏ bản nháp."
BC_CITIZEN = "📢 Thông báo của {office}\n\n{text}\n\n(Để ngừng nhận thông báo, anh/chị gõ /huy.)"
BC_AUD_LABEL_ALL = "tất cả người đăng ký"
BC_AUD_LABEL_TOPIC = "chủ đề «{topic}»"
BC_AUD_LABEL_AREA = "khu vực «{area}»"
BC_AUD_LABEL_CHANNEL = "kênh {channel}"
BC_CHANNEL_NAMES = {
    "telegram": "Telegram",
    "zalo_oa": "Zalo OA",
    "zalo_bot": "Zalo Bot",
    "test": "thử nghiệm",
}
BC_PHOTO_SAVED = "Đã nhận ảnh. Xin mời gửi nội dung chữ của thông báo."
BC_TEXT_TOO_LONG = "Nội dung dài {n} ký tự, quá giới hạn {limit} ký tự. Xin mời rút gọn rồi gửi lại."
BC_TEXT_EMPTY = "Xin mời gửi nội dung thông báo bằng chữ."
BC_AUDIENCE_PROMPT = "Gửi cho ai?"
BC_AUD_ALL = "Tất cả người đăng ký ({n})"
BC_AUD_TOPIC = "Theo chủ đề"
BC_AUD_AREA = "Theo khu vực"
BC_AUD_CHANNEL = "Theo kênh"
BC_PICK_TOPIC = "Chọn chủ đề:"
BC_PICK_AREA = "Chọn khu vực:"
BC_PICK_CHANNEL = "Chọn kênh:"
BC_NO_AREAS = "Địa phương chưa khai báo khu vực (areas trong locality.yaml)."
BC_OPTION_N = "{label} ({n})"
BC_PREVIEW_HEADER = "Xem trước — người dân sẽ nhận đúng như tin nhắn dưới đây:"
BC_PREVIEW_FOOTER = (
    "Người nhận: {n} ({detail}). Đối tượng: {audience}. Thời gian gửi: {when}.\n"
    "Bấm «Gửi» để xếp hàng gửi, hoặc chọn hẹn giờ."
)
BC_WHEN_NOW = "ngay bây giờ"
BC_CONFIRM = "Gửi"
BC_SCHEDULE = "Hẹn giờ gửi"
BC_CANCEL_DRAFT = "Hủy bỏ"
BC_ASK_TIME = "Xin mời gõ thời điểm gửi theo giờ Việt Nam, dạng «HH:MM» (hôm nay) hoặc «dd/mm HH:MM»."
BC_BAD_TIME = (
    "Tôi chưa hiểu thời điểm «{text}». Xin mời gõ dạng «20:00» hoặc «25/12 08:30» (phải ở tương lai)."
)
BC_NO_RECIPIENTS = "Không có người nhận nào cho đối tượng này. Xin mời chọn đối tượng khác."
BC_QUEUED = (
    "Đã xếp hàng thông báo số {id} tới {n} người nhận, gửi {when}. "
    "Tôi sẽ báo tiến độ tại đây. Để dừng: /thongbao huy {id}"
)
BC_DRAFT_CANCELLED = "Đã hủy bản nháp, không gửi gì."
BC_PROGRESS = "Thông báo số {id}: đã gửi {done}/{total} {bar}"
BC_REPORT = (
    "Thông báo số {id} đã gửi xong sau {duration}.\n"
    "• Đã gửi: {sent}/{total}\n"
    "• Không liên lạc được (đã chặn, bỏ theo dõi): {unreachable}\n"
    "• Bỏ qua (ngoài thời hạn 7 ngày của Zalo): {skipped}\n"
    "• Lỗi: {failed}\n"
    "• Đã dừng: {cancelled}"
)
BC_DURATION = "{h} giờ {m} phút {s} giây"
BC_DURATION_MS = "{m} phút {s} giây"
BC_CANCELLED = "Đã dừng thông báo số {id}: {n} tin chưa gửi sẽ không gửi nữa."
BC_CANCEL_NOTHING = "Thông báo số {id} không còn tin nào đang chờ gửi (đã xong, đã dừng hoặc không tồn tại)."
BC_LIST_HEADER = "Các thông báo gần đây:"
BC_LIST_LINE = "Số {id} — {status} — {n} người — {when}: {snippet}"
BC_LIST_EMPTY = "Chưa có thông báo nào."
BC_STATUS = {"scheduled": "chờ gửi", "sending": "đang gửi", "done": "đã xong", "cancelled": "đã dừng"}
