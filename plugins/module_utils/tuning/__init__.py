# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lvs.cluster maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
