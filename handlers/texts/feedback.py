"""Complaints, tracking, ratings, handoff to an officer, personal data, limits."""

from __future__ import annotations

# ---- feedback (complaints, tracking, ratings, handoff, personal data, limits)
RATE_LIMITED = (
    "Xin lỗi anh/chị, anh/chị đang gửi tin nhắn hơi nhanh nên tôi chưa kịp xử lý. "
    "Xin mời anh/chị chờ khoảng {seconds} giây rồi gửi lại tin nhắn vừa rồi. Xin cảm ơn!"
)
CMD_PHANANH = "Gửi phản ánh, kiến nghị"
CMD_TRACUU = "Tra cứu phản ánh theo mã (ví dụ /tracuu PA-2026-000123)"
CMD_GAPCANBO = "Gặp cán bộ trực"
CMD_KETTHUC = "Kết thúc trò chuyện với cán bộ"
CMD_HOPTHU = "(Cán bộ) Hộp thư phản ánh"
CMD_XEMPHANANH = "(Cán bộ) Xem một phản ánh theo mã"

PA_CAT_ATTITUDE = "Thái độ phục vụ"
PA_CAT_DOSSIER = "Giải quyết hồ sơ"
PA_CAT_INFRA = "Hạ tầng - môi trường"
PA_CAT_SECURITY = "An ninh trật tự"
PA_CAT_OTHER = "Khác"
PA_STATUS = {
    "received": "Đã tiếp nhận",
    "assigned": "Đang xử lý",
    "answered": "Đã trả lời",
    "closed": "Đã đóng",
    "reopened": "Mở lại",
}
PA_EVENT = {
    "received": "Tiếp nhận phản ánh",
    "assigned": "Chuyển cán bộ xử lý",
    "answered": "Cán bộ trả lời",
    "closed": "Đóng phản ánh",
    "reopened": "Mở lại theo đề nghị của người gửi",
    "rated": "Người gửi đánh giá",
}
PA_INTRO = (
    "Xin cảm ơn anh/chị đã gửi phản ánh, kiến nghị tới {office}. "
    "Tôi sẽ hỏi vài bước ngắn: loại phản ánh, nội dung, ảnh và vị trí (nếu có), số điện thoại (nếu anh/chị đồng ý). "
    "Anh/chị có thể gõ «hủy» bất cứ lúc nào để dừng.\n"
    "Việc khẩn cấp xin gọi ngay 113 (công an), 114 (cứu hỏa, cứu nạn), 115 (cấp cứu). "
    "Khiếu nại quyết định hành chính hoặc tố cáo cần làm đơn, nộp tại nơi tiếp công dân."
)
PA_PREFILLED = "Tôi đã ghi lại nội dung anh/chị vừa nhắn: «{description}»."
PA_PREFILLED_KEPT = "Tôi dùng nội dung anh/chị đã nhắn; anh/chị có thể sửa ở bước xác nhận."
PA_RESUME = (
    "Anh/chị đang soạn dở một phản ánh: «{preview}».\n"
    "Anh/chị muốn tiếp tục phản ánh này hay soạn phản ánh mới?"
)
PA_NO_DESCRIPTION = "(chưa có nội dung)"
PA_BTN_RESUME = "Tiếp tục phản ánh đang soạn"
PA_BTN_RESTART = "Soạn phản ánh mới"
PA_ASK_CATEGORY = "Phản ánh của anh/chị thuộc loại nào? Xin mời chọn:"
PA_CHOOSE_CATEGORY_FIRST = "Dạ, xin mời anh/chị chọn loại phản ánh trước:"
PA_DESCRIPTION_NOTED = "Tôi đã ghi lại nội dung này. Xin mời anh/chị chọn loại phản ánh:"
PA_ASK_DESCRIPTION = (
    "Xin mời anh/chị mô tả sự việc: chuyện gì, ở đâu, từ khi nào "
    "(tối đa {limit} ký tự). Ví dụ: «Đường thôn 3 đoạn gần trường học bị ngập sâu mỗi khi mưa»."
)
PA_DESCRIPTION_SHORT = "Nội dung hơi ngắn, anh/chị vui lòng mô tả rõ hơn một chút (ít nhất 10 ký tự) để cán bộ hiểu đúng sự việc."
PA_DESCRIPTION_LONG = (
    "Xin lỗi anh/chị, nội dung dài {length} ký tự, vượt quá {limit} ký tự. "
    "Anh/chị vui lòng rút gọn, những chi tiết khác có thể trao đổi khi cán bộ liên hệ."
)
PA_DESCRIPTION_LINKS = (
    "Xin lỗi anh/chị, tôi không nhận nội dung có nhiều đường link. "
    "Anh/chị vui lòng mô tả sự việc bằng lời của mình."
)
PA_DUPLICATE = (
    "Nội dung này giống với phản ánh {code} anh/chị đã gửi gần đây, nên tôi không ghi thêm bản trùng. "
    "Anh/chị có thể tra cứu tình trạng của phản ánh đó, hoặc nhập nội dung khác."
)
PA_ASK_MEDIA = (
    "Nếu có, anh/chị gửi kèm ảnh hiện trường (tối đa {max_photos} ảnh) và vị trí "
    "(nút đính kèm 📎 → Vị trí). Anh/chị cũng có thể nhắn thêm chi tiết. "
    "Khi xong, hoặc nếu không có ảnh, xin bấm «Tiếp tục»."
)
PA_BTN_NEXT = "Tiếp tục"
PA_PHOTO_SAVED = "Đã nhận ảnh {n}/{max_photos}."
PA_PHOTO_LIMIT = "Xin lỗi anh/chị, mỗi phản ánh nhận tối đa {max_photos} ảnh; tôi đã đủ ảnh cho phản ánh này."
PA_PHOTO_TOO_BIG = (
    "Xin lỗi anh/chị, ảnh này lớn hơn {mb} MB nên tôi không nhận được. Anh/chị gửi ảnh nhỏ hơn nhé."
)
PA_LOCATION_SAVED = "Đã nhận vị trí. Xin cảm ơn anh/chị."
PA_TEXT_ADDED = "Tôi đã thêm chi tiết này vào nội dung phản ánh."
PA_CANNOT_USE = "Xin lỗi anh/chị, tôi chỉ nhận chữ, ảnh và vị trí cho phản ánh."
PA_CONTACT_NOT_NOW = "Xin cảm ơn anh/chị, tôi sẽ hỏi số điện thoại ở bước sau."
PA_ASK_PHONE_PERMISSION = (
    "Xin phép anh/chị cho biết số điện thoại để cán bộ liên hệ khi cần làm rõ phản ánh. "
    "Việc này không bắt buộc; số điện thoại chỉ dùng cho việc xử lý phản ánh, "
    "và anh/chị có thể xóa bất cứ lúc nào bằng lệnh /xoadulieu."
)
PA_BTN_PHONE_YES = "Đồng ý, để lại số điện thoại"
PA_BTN_PHONE_NO = "Không để lại số"
PA_BTN_PHONE_KEEP = "Dùng số {phone}"
PA_ASK_PHONE = (
    "Xin cảm ơn anh/chị. Anh/chị bấm nút «Chia sẻ số điện thoại» (nếu có) hoặc gõ số điện thoại, "
    "ví dụ 0912345678."
)
PA_PHONE_INVALID = (
    "Xin lỗi, số này chưa đúng dạng số điện thoại Việt Nam (ví dụ 0912345678 hoặc +84912345678). "
    "Anh/chị vui lòng gõ lại, hoặc bấm «Không để lại số»."
)
PA_PHONE_SAVED = "Xin cảm ơn anh/chị, tôi đã ghi số điện thoại."
PA_PHONE_SKIPPED = "Dạ, anh/chị không để lại số điện thoại cũng được ạ."
PA_NO_PHONE = "không để lại"
PA_USE_BUTTONS = "Xin mời anh/chị chọn một nút dưới đây:"
PA_SUMMARY = (
    "Xin anh/chị kiểm tra lại phản ánh trước khi gửi:\n"
    "• Loại: {category}\n"
    "• Nội dung: {description}\n"
    "• Ảnh: {photos}\n"
    "• Vị trí: {place}\n"
    "• Số điện thoại: {phone}\n"
    "Nếu đúng, xin bấm «Gửi phản ánh»."
)
PA_SUMMARY_PLACE = "{lat:.5f}, {lon:.5f}"
PA_SUMMARY_PLACE_NONE = "không có"
PA_BTN_SEND = "✅ Gửi phản ánh"
PA_BTN_EDIT = "Sửa"
PA_ASK_EDIT = "Anh/chị muốn sửa phần nào?"
PA_BTN_BACK_SUMMARY = "« Quay lại bản xem trước"
PA_ACTOR_CITIZEN = "người gửi"
PA_BTN_EDIT_DESC = "Sửa nội dung"
PA_BTN_EDIT_CAT = "Đổi loại"
PA_BTN_EDIT_MEDIA = "Thêm ảnh, vị trí"
PA_BTN_EDIT_PHONE = "Sửa số điện thoại"
PA_BTN_CANCEL = "Hủy"
PA_BTN_RETRY = "Gửi lại"
PA_CANCELLED = "Dạ, tôi đã hủy phản ánh đang soạn. Anh/chị cần hỗ trợ gì thêm ạ?"
PA_DRAFT_KEPT = "Phản ánh anh/chị đang soạn vẫn được giữ lại; khi muốn gửi tiếp, anh/chị gõ /phananh."
PA_NO_DRAFT = "Xin lỗi anh/chị, tôi không thấy phản ánh nào đang soạn. Xin mời chọn lại từ menu."
PA_NOT_READY = "Phản ánh chưa đủ thông tin để gửi; xin mời anh/chị hoàn thành bước sau:"
PA_SAVE_FAILED = (
    "Xin lỗi anh/chị, hệ thống đang gặp sự cố nên phản ánh CHƯA được ghi nhận. "
    "Nội dung anh/chị đã soạn vẫn được giữ lại: xin mời bấm «Gửi lại» sau ít phút, "
    "hoặc gọi {hotline} nếu việc gấp."
)
PA_SAVED = (
    "Xin cảm ơn anh/chị! Phản ánh đã được ghi nhận với mã {code}.\n"
    "Cán bộ sẽ xem xét và trả lời trong {days} ngày làm việc (dự kiến trước ngày {due}); "
    "câu trả lời sẽ được gửi vào cuộc trò chuyện này.\n"
    "Anh/chị lưu lại mã để tra cứu: /tracuu {code}"
)
PA_DAILY_LIMIT = (
    "Xin lỗi anh/chị, mỗi ngày tôi nhận tối đa {limit} phản ánh từ một người, và anh/chị đã gửi đủ hôm nay. "
    "Nếu việc gấp, anh/chị vui lòng gọi {hotline}. Xin cảm ơn anh/chị!"
)
PA_BTN_TRACK = "Tra cứu phản ánh"
PA_BTN_MINE = "Phản ánh của tôi"
PA_TRACK_HOWTO = "Để tra cứu, anh/chị gõ mã phản ánh, ví dụ: /tracuu PA-2026-000123"
PA_NONE_YET = "Anh/chị chưa gửi phản ánh nào từ tài khoản này."
PA_MINE = "Các phản ánh anh/chị đã gửi (bấm để xem chi tiết):"
PA_NOT_YOURS = (
    "Xin lỗi anh/chị, mã {code} không phải là phản ánh do anh/chị gửi từ tài khoản này, "
    "nên tôi không thể hiển thị. Anh/chị kiểm tra lại mã giúp tôi nhé."
)
PA_CARD_HEAD = "📮 Phản ánh {code} — {status}"
PA_CARD_CATEGORY = "Loại: {category}"
PA_CARD_RECEIVED = "Tiếp nhận: {at}"
PA_CARD_DESCRIPTION = "Nội dung: {description}"
PA_CARD_PHOTOS = "Ảnh kèm theo: {n}"
PA_CARD_LOCATION = "Vị trí: {lat:.5f}, {lon:.5f}"
PA_CARD_ADDRESS = "Địa điểm: {address}"
PA_CARD_EMAIL = "Thư điện tử: {email}"
PA_CARD_DUE = "Hạn trả lời: {at}"
PA_CARD_OVERDUE = " (QUÁ HẠN)"
PA_CARD_REPORTER = "Người gửi: {name}, điện thoại: {phone}"
PA_CARD_ASSIGNEE = "Cán bộ xử lý: {assignee}"
PA_CARD_ANSWER = "Trả lời: {answer}"
PA_ANONYMOUS = "(không rõ tên)"
PA_HISTORY_HEAD = "Quá trình xử lý:"
PA_HISTORY_LINE = "• {at}: {what}"
PA_ANSWER_TO_CITIZEN = "Xin chào anh/chị. {office} xin trả lời phản ánh {code}:\n\n{answer}"
PA_RATE_QUESTION = "Anh/chị có hài lòng với cách giải quyết phản ánh {code} không?"
PA_BTN_SATISFIED = "Hài lòng"
PA_BTN_UNSATISFIED = "Không hài lòng"
PA_CLOSED_TO_CITIZEN = (
    "Phản ánh {code} của anh/chị đã được đóng. Xin cảm ơn anh/chị đã góp ý. "
    "Nếu chưa hài lòng, anh/chị tra cứu mã và bấm «Không hài lòng» để đề nghị xem xét lại."
)
PA_RATE_NOT_YET = "Phản ánh {code} chưa có câu trả lời; anh/chị sẽ được hỏi ý kiến khi cán bộ trả lời."
PA_RATED_OK = "Xin cảm ơn anh/chị đã đánh giá! Ý kiến của anh/chị giúp chúng tôi phục vụ tốt hơn."
PA_ASK_REASON = (
    "Xin lỗi anh/chị vì kết quả chưa làm anh/chị hài lòng. "
    "Xin mời anh/chị cho biết lý do, tôi sẽ mở lại phản ánh và chuyển cán bộ xem xét lại."
)
PA_BTN_NO_REASON = "Mở lại, không nêu lý do"
PA_NO_REASON = "(người gửi không nêu lý do)"
PA_REOPEN_CANCELLED = "Dạ, tôi chưa mở lại phản ánh {code}. Nếu cần, anh/chị tra cứu mã và bấm «Không hài lòng» để đề nghị xem xét lại."
PA_REASON_LONG = "Xin lỗi anh/chị, lý do dài quá {limit} ký tự; anh/chị vui lòng viết ngắn gọn hơn."
PA_REOPENED = (
    "Xin cảm ơn anh/chị. Phản ánh {code} đã được mở lại và chuyển cán bộ xem xét, "
    "dự kiến trả lời trước ngày {due}."
)

CS_NEW_COMPLAINT = "🔔 Có phản ánh mới."
CS_BTN_REPLY = "Trả lời"
CS_BTN_ASSIGN = "Giao cán bộ"
CS_BTN_STATUS = "Đổi trạng thái"
CS_BTN_CLOSE = "Đóng"
CS_BTN_INBOX = "Hộp thư phản ánh"
CS_BTN_OPEN = "Mở phản ánh"
CS_BTN_CANCEL = "Thôi"
CS_INBOX_EMPTY = "Không có phản ánh nào đang chờ xử lý."
CS_INBOX_HEAD = "Phản ánh đang chờ xử lý ({n}), quá hạn lên đầu:"
CS_INBOX_LINE = "{late}{code} · {status} · {category} · {at}: {preview}"
CS_LATE_MARK = "⚠️ "
CS_NOT_FOUND = "Không tìm thấy phản ánh {code}."
CS_SHOW_USAGE = "Cách dùng: /xemphananh PA-2026-000123"
CS_ASK_REPLY = "Xin mời gõ nội dung trả lời phản ánh {code}. Câu trả lời sẽ được gửi cho người phản ánh."
CS_REPLY_EMPTY = "Nội dung trả lời đang trống."
CS_REPLY_TOO_LONG = "Nội dung trả lời dài quá {limit} ký tự, xin rút gọn."
CS_REPLY_SENT = "Đã lưu câu trả lời cho {code} và xếp lịch gửi cho người phản ánh."
CS_REPLY_STORED_ONLY = "Đã lưu câu trả lời cho {code}; người gửi đã xóa dữ liệu cá nhân nên không gửi được."
CS_CANCELLED = "Đã thôi."
CS_CHOOSE_ASSIGNEE = "Giao phản ánh {code} cho cán bộ:"
CS_ASSIGNED = "Đã giao phản ánh {code} cho {who}."
CS_ASSIGNED_TO_YOU = "📌 Anh/chị được giao xử lý phản ánh {code} (người giao: {by})."
CS_NOT_STAFF = "{who} không có trong danh sách cán bộ."
CS_CHOOSE_STATUS = "Chọn trạng thái mới cho {code}:"
CS_BAD_STATUS = "Trạng thái «{status}» không hợp lệ (received, assigned, answered, closed)."
CS_NEED_ANSWER = "Phản ánh chưa có câu trả lời; xin dùng «Trả lời» để trả lời trước."
CS_STATUS_SET = "Phản ánh {code}: {status}."
CS_CLOSED = "Đã đóng phản ánh {code}."
CS_REOPENED_NOTICE = "🔁 Phản ánh {code} được người gửi mở lại. Lý do: {reason}"
CS_PHOTO = "Ảnh {n}/{total} kèm phản ánh"
CS_OVERDUE_HEAD = "⏰ Nhắc việc: {n} phản ánh đã quá hạn trả lời:"
CS_OVERDUE_LINE = "• {code} ({category}), hạn {due}: {preview}"

HO_WAITING = (
    "Dạ, tôi đã báo cán bộ trực. Anh/chị vui lòng chờ trong giây lát; anh/chị cứ nhắn nội dung cần hỏi, "
    "tôi sẽ chuyển tới cán bộ. Nếu việc gấp, anh/chị gọi {hotline}."
)
HO_ALREADY = "Anh/chị đang trong cuộc trò chuyện với cán bộ; anh/chị cứ nhắn, tôi sẽ chuyển tới cán bộ."
HO_OUT_OF_HOURS = (
    "Xin lỗi anh/chị, hiện ngoài giờ làm việc ({hours}) nên chưa có cán bộ trực trò chuyện.\n"
    "Xin phép anh/chị để lại số điện thoại để cán bộ gọi lại trong giờ làm việc? "
    "Số điện thoại chỉ dùng để gọi lại. Việc gấp, anh/chị gọi {hotline}."
)
HO_BTN_CB_YES = "Đồng ý, để lại số để được gọi lại"
HO_BTN_CB_KEEP = "Gọi lại vào số {phone}"
HO_BTN_CB_NO = "Không, cảm ơn"
HO_ASK_PHONE = (
    "Xin cảm ơn anh/chị. Anh/chị bấm «Chia sẻ số điện thoại» (nếu có) hoặc gõ số, ví dụ 0912345678."
)
HO_CALLBACK_SAVED = (
    "Xin cảm ơn anh/chị! Tôi đã ghi yêu cầu gọi lại vào số {phone}; "
    "cán bộ sẽ gọi trong giờ làm việc gần nhất."
)
HO_CALLBACK_DECLINED = "Dạ vâng. Anh/chị có thể liên hệ trực tiếp theo thông tin dưới đây:"
HO_CALLBACK_NOTICE = "📞 Yêu cầu gọi lại #{id}: {name}, số {phone}."
HO_BTN_CALLED = "Đã gọi lại"
HO_STAFF_REQUEST = "🙋 {name} muốn gặp cán bộ (trò chuyện #{hid}). Bấm «Nhận trò chuyện» để trả lời."
HO_BTN_TAKE = "Nhận trò chuyện"
HO_BTN_END = "Kết thúc trò chuyện"
HO_BTN_REPLY = "Trả lời cán bộ"
HO_FROM_CITIZEN = "💬 {name} (#{hid}): {text}"
HO_FROM_STAFF = "👤 Cán bộ: {text}"
HO_PHOTO = "[ảnh]"
HO_RELAYED_WAITING = "Đã chuyển tin nhắn tới cán bộ. Xin anh/chị chờ cán bộ trả lời."
HO_TEXT_ONLY = "Xin lỗi, trong cuộc trò chuyện tôi chỉ chuyển được tin nhắn chữ và ảnh."
HO_TOO_LONG = "Tin nhắn dài quá {limit} ký tự, anh/chị vui lòng chia nhỏ giúp tôi."
HO_TAKEN = "Anh/chị đã nhận trò chuyện #{hid}. Tin nhắn anh/chị gõ sẽ được chuyển cho người dân; gõ /ketthuc để kết thúc."
HO_TAKEN_BY_OTHER = "Trò chuyện này đã có cán bộ khác nhận ({who})."
HO_STAFF_JOINED = "Cán bộ đã tham gia cuộc trò chuyện. Xin mời anh/chị trao đổi."
HO_BACK = "Anh/chị tiếp tục trò chuyện với cán bộ; tin nhắn sẽ được chuyển tới cán bộ."
HO_ENDED_ALREADY = "Cuộc trò chuyện này đã kết thúc."
HO_ENDED_CITIZEN = "Cuộc trò chuyện với cán bộ đã kết thúc. Xin cảm ơn anh/chị!"
HO_ENDED_STAFF = "Đã kết thúc trò chuyện #{hid}."
HO_STAFF_ENDED = "Cán bộ đã kết thúc cuộc trò chuyện. Xin cảm ơn anh/chị đã liên hệ!"
HO_CITIZEN_ENDED = "Người dân đã kết thúc trò chuyện #{hid}."
HO_RATE = "Cuộc trò chuyện có hữu ích với anh/chị không?"
HO_NOBODY_FREE = (
    "Xin lỗi anh/chị, hiện các cán bộ trực đều đang bận nên chưa trả lời được. "
    "Xin phép anh/chị để lại số điện thoại để cán bộ gọi lại sớm nhất?"
)
HO_NOTHING_TO_END = "Anh/chị không có cuộc trò chuyện nào với cán bộ đang diễn ra."

RT_QUESTION = "Thông tin này có hữu ích không?"
RT_BTN_YES = "👍 Có ích"
RT_BTN_NO = "👎 Chưa có ích"
RT_THANKS = "Xin cảm ơn anh/chị đã đánh giá!"
RT_SORRY = (
    "Xin lỗi anh/chị vì thông tin chưa giúp được. Anh/chị có thể gõ lại câu hỏi rõ hơn, "
    "gặp cán bộ, gửi phản ánh, hoặc gọi {hotline}."
)
RT_BTN_HUMAN = "Gặp cán bộ"
